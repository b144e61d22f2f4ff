# Justfile: shortcuts for socketlab, grouped by who types them: a student,
# the call center's demonstrator, a TA who grades, a maintainer. Each recipe
# is a command you could type yourself; `just --show NAME` prints it.
# "(needs Go)" marks the recipes that run Go on this machine; the others
# need only Docker (and bash). [no-exit-message] marks the recipes whose
# exit status is a verdict (4: FAIL): their last line says what it means,
# and just's own "recipe failed" line would read as the tool breaking.

# List the recipes by group (what `just` alone does)
[private]
default:
    @just --list --unsorted

# Run the lab: laptop-a serves, laptop-b calls it once (Ctrl-C to stop)
[group('student')]
up:
    docker compose up --build

# Stop the lab: remove its containers and its networks (my-server's side network too)
[group('student')]
down:
    docker compose -f compose.yaml -f deploy/compose/my-server.yaml --profile '*' down --remove-orphans

# Swap roles: laptop-b serves on its IP, laptop-a calls it (Ctrl-C to stop)
[group('student')]
swap:
    docker compose -f compose.yaml -f deploy/compose/swap.yaml up --build

# Type to laptop-a's server yourself, like telnet
[group('student')]
talk:
    docker compose run --rm talk

# Watch the wire: the lab with a sidecar that prints each TCP segment of the call (pcap in captures/)
[group('student')]
wire:
    mkdir -p captures
    docker compose --profile wire up --build

# Watch the lab in a web page: each call as a ladder diagram, and the call center (http://localhost:8080, VIEW_PORT to change)
[group('student')]
view:
    docker compose -f compose.yaml -f deploy/compose/view.yaml up --build

# Your own server as laptop-a (server.py, .c, .cpp, Server.java, .js, .go, or a Makefile): laptop-b calls it across the lab, grades it and explains (try: just my-server deploy/student/server.py)
[group('student')]
[no-exit-message]
my-server file:
    @bash deploy/compose/student-lab.sh server {{quote(join(invocation_directory(), file))}}

# Your own client as laptop-b (client.py, .c, .cpp, Client.java, .js, .go): it calls laptop-a, which says what your client did (try: just my-client deploy/student/client.py)
[group('student')]
[no-exit-message]
my-client file:
    @bash deploy/compose/student-lab.sh client {{quote(join(invocation_directory(), file))}}

# Prepare a bare Debian machine: install and start Docker, install just, build the lab's base images here (no registry needed)
[group('student')]
setup:
    bash deploy/setup.sh

# The call center: a crowd of callers against laptop-a with few employees (try: just crowd 10; just crowd 1 20ms 50 500 128 -busy)
[group('call center')]
crowd workers="1" think="20ms" callers="50" calls="500" backlog="128" *server_flags:
    SERVER_FLAGS="-workers {{workers}} -think {{think}} -backlog {{backlog}} {{server_flags}}" CALLERS={{callers}} CALLS={{calls}} docker compose run --rm crowd

# 10,000 callers at once: each is greeted, then holds the line (the lecture's "10,000 people calling")
[group('call center')]
hold callers="10000":
    @echo 'SERVER_FLAGS="-backlog 4096" docker compose run --rm crowd bench -hold {{callers}} -c 256 -hold-timeout 30s '"${LAPTOP_A_IP:-172.28.5.10}"
    @SERVER_FLAGS="-backlog 4096" docker compose run --rm crowd bench -hold {{callers}} -c 256 -hold-timeout 30s ${LAPTOP_A_IP:-172.28.5.10}

# The call center beside `just view` (same arguments as crowd): the page follows laptop-a's new flags
[group('call center')]
view-crowd workers="1" think="20ms" callers="50" calls="500" backlog="128" *server_flags:
    SERVER_FLAGS="-workers {{workers}} -think {{think}} -backlog {{backlog}} {{server_flags}}" CALLERS={{callers}} CALLS={{calls}} docker compose -f compose.yaml -f deploy/compose/view.yaml run --rm crowd

# The call center's models side by side on 127.0.0.1, one table: threads, processes, eventloop, one employee (needs Go; try: just models -n 50000)
[group('call center')]
models *flags:
    go run ./deploy/peers/models {{flags}}

# Grade a server against the lecture's protocol (needs Go; try: just grade 127.0.0.1 8000 -not-on 127.0.0.2)
[group('TA')]
grade host port="8000" *flags:
    go run ./client grade {{flags}} {{host}} {{port}}

# Grade a class: DIR is one folder per student or an LMS export (Canvas, Moodle, Blackboard, Brightspace, Gradescope, GitHub Classroom), each in a lab of its own (report in OUT, the LMS's files in OUT/lms; run again, it grades only what is new or changed; CLASS_FLAGS=-regrade grades all; CLASS_SWARM=1 spreads the labs over the Swarm DOCKER_HOST manages; needs Go)
[group('TA')]
@class dir out="class-report":
    go build -o bin/client ./client  # then exec'd, no `go run` between: Ctrl-C reaches the grader, and the prompt comes back once every lab is down
    exec bin/client class ${CLASS_SWARM:+-swarm "$CLASS_SWARM" -swarm-nodes "${CLASS_SWARM_NODES:-}"} ${CLASS_JOBS:+-jobs "$CLASS_JOBS"} -submission-timeout "${CLASS_TIMEOUT:-60}s" -grade-flags "${CLASS_GRADE_FLAGS:-}" -assignment "${CLASS_ASSIGNMENT:-}" -assignment-id "${CLASS_ASSIGNMENT_ID:-}" -lms-gradebook "${CLASS_LMS_GRADEBOOK:-}" ${CLASS_FLAGS:-} {{quote(join(invocation_directory(), dir))}} {{quote(join(invocation_directory(), out))}}

# How long `just class` takes here: N submissions of the usual mix, cold, then again with one changed (Docker; minutes)
[group('TA')]
class-bench n="120":
    deploy/grading/class-bench.sh {{n}} -- ${CLASS_JOBS:+-jobs "$CLASS_JOBS"}

# Gradescope's autograder for the lecture's server: OUT/autograder.zip (needs Go; weights: internal/results/weights.txt; try: just gradescope gradescope-out)
[group('TA')]
gradescope out *flags:
    go run ./deploy/grading/gradescope {{flags}} "{{join(invocation_directory(), out)}}"

# PrairieLearn's external-grader image, socketlab/prairielearn:local (info.json settings: deploy/grading/README.md)
[group('TA')]
prairielearn:
    docker compose --profile prairielearn build prairielearn
    docker image ls socketlab/prairielearn:local

# Build a local Go toolchain image, Python base and laptop base (every language) for machines with no image registry (writes .env; needs Go)
[group('TA')]
offline:
    bash deploy/setup.sh --go-image-only
    bash deploy/setup.sh --python-image-only
    bash deploy/setup.sh --laptop-image-only

# Run every test: unit and, with Docker, end-to-end (needs Go)
[group('maintainer')]
test:
    go test ./...

# Run every test but the end-to-end ones (needs Go, not Docker)
[group('maintainer')]
unit:
    go test $(go list ./... | grep -v /e2e)

# Run the end-to-end tests (needs Go and Docker)
[group('maintainer')]
e2e:
    go test -count=1 ./e2e/...

# Build the two images and show their sizes
[group('maintainer')]
images:
    docker compose build
    docker image ls socketlab/server:local
    docker image ls socketlab/client:local

# Run the lab once and stop, exiting with laptop-b's exit code (what CI does)
[group('maintainer')]
check:
    docker compose up --build --exit-code-from laptop-b

# Format the Go code (needs Go)
[group('maintainer')]
fmt:
    gofmt -w .

# Vet the Go code, run staticcheck, and fail if any file is not gofmt-formatted (needs Go)
[group('maintainer')]
lint:
    go vet ./...
    go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
    @test -z "$(gofmt -l .)" || { echo "not gofmt-formatted (run: just fmt):"; gofmt -l .; exit 1; }

# Run the lab across two machines of a Docker Swarm (DOCKER_HOST = a manager): laptop-a on one node, laptop-b on another
[group('swarm')]
swarm-up:
    env -u DOCKER_HOST -u DOCKER_CONTEXT docker compose build laptop-a laptop-b
    bash deploy/swarm/lab.sh up

# Your own server as laptop-a on one Swarm node, graded by laptop-b on another (DOCKER_HOST = a manager): the verdict of just my-server
[group('swarm')]
swarm-my-server file:
    env -u DOCKER_HOST -u DOCKER_CONTEXT docker compose build laptop-a laptop-b
    d=$(mktemp -d) && { env -u DOCKER_HOST -u DOCKER_CONTEXT STUDENT_DIR="$d" CLASS_LAPTOP_IMAGE=socketlab/laptop:swarm docker compose -p socketlab-swarm -f compose.yaml -f deploy/compose/my-server.yaml -f deploy/compose/class.yaml build laptop-a; rc=$?; rmdir "$d"; exit $rc; }
    env $(bash deploy/compose/lang-env.sh "{{join(invocation_directory(), file)}}") STUDENT_DIR="{{parent_directory(join(invocation_directory(), file))}}" STUDENT_FILE="{{file_name(file)}}" bash deploy/swarm/lab.sh my-server

# Remove the Swarm lab's laptops and overlay networks
[group('swarm')]
swarm-down:
    bash deploy/swarm/lab.sh down

# A Swarm of N engines on this one machine, to try the above: prints the manager's DOCKER_HOST
[group('swarm')]
swarm-nodes n="3":
    bash deploy/swarm/nodes.sh up {{n}}

# Remove the local Swarm's engines (their volumes stay, for a warm start)
[group('swarm')]
swarm-nodes-down:
    bash deploy/swarm/nodes.sh down
