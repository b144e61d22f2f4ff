package e2e

import (
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/compose"
	"github.com/testcontainers/testcontainers-go/wait"
)

// The student tests run deploy/compose/my-server.yaml and deploy/compose/my-client.yaml as
// `just my-server` and `just my-client` do, each lab on subnets of its own
// (in 10.217.0.0/16, outside Docker's default pools and apart from the
// 10.213.0.0/16 that newNetworkWithSubnet draws from, so that no other
// test's network can take them) and a host port the engine picks: they run in parallel.

// laptopProject is the project of the run's first build of a student's
// laptop, which warms the engine's build cache for every student lab after
// (each builds its own image: the laptop with the student's folder in it).
// Its own name, so that it never replaces the image of `just my-server`.
const laptopProject = "socketlab-e2e-laptop"

// studentLabs numbers the student labs of a run, for their subnets.
var studentLabs atomic.Int32

// laptopBuild is the one build of the laptop image per run.
var laptopBuild struct {
	once sync.Once
	err  error
}

// requireLaptopImage builds the laptop image (Python 3 and netifaces, the
// supervisor) once per run, as `just my-server` does with --build.
func requireLaptopImage(t *testing.T) {
	t.Helper()
	requireImages(t)
	cli := requireDocker(t)
	laptopBuild.once.Do(func() { laptopBuild.err = buildLaptop(cli) })
	require.NoError(t, laptopBuild.err)
}

func buildLaptop(cli *testcontainers.DockerClient) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	return composeBuild(cli, composeBuildSpec{
		project:  laptopProject,
		overlays: []string{"deploy/compose/my-server.yaml"},
		services: []string{"laptop-a"},
		env:      []string{"STUDENT_DIR=" + filepath.Join(root, "deploy/student")},
		images:   []string{laptopProject + "-laptop-a"},
		hint:     "with no image registry, `just offline` builds a local Python base and points .env at it",
	})
}

// exitFail is the client's exit status for a FAIL verdict (client -h):
// the lab's exit status when the student's program fails.
const exitFail = 4

// studentRun is one run of a student lab: the verdict's exit code and each
// laptop's logs.
type studentRun struct {
	exit   int
	a, b   string // laptop-a's and laptop-b's logs
	labNet string // the lab's subnet prefix, "10.217.N."
}

// runStudentLab brings up compose.yaml with overlay (deploy/compose/my-server.yaml
// or deploy/compose/my-client.yaml) for the program file (a path from the
// repository's root), waits for the laptop giving the verdict to exit and
// takes the lab down. env adds settings such as STUDENT_CMD; "{A}" in a
// value is laptop-a's address.
func runStudentLab(t *testing.T, overlay, file string, env map[string]string) studentRun {
	t.Helper()
	requireLaptopImage(t)
	n := 10 + studentLabs.Add(1)
	vars := map[string]string{"STUDENT_DIR": filepath.Dir(file), "STUDENT_FILE": filepath.Base(file)}
	for k, v := range env {
		vars[k] = v
	}
	return studentLab{net: "10.217", n: n, project: fmt.Sprintf("socketlab-e2e-student-%d", n),
		overlays: []string{overlay}, vars: vars, wait: exitTimeout}.run(t)
}

// studentLab is one lab of a student's program, as `just my-server` and
// `just my-client` run it: lab n of the range net (its networks
// net.n.0/24 and net.(100+n).0/24, apart from every other test's), its
// compose project, the overlays on compose.yaml, and its settings
// (STUDENT_DIR from the repository's root; "{A}" in a value is laptop-a's
// address). wait bounds the verdict.
type studentLab struct {
	net      string
	n        int32
	project  string
	overlays []string
	vars     map[string]string
	wait     time.Duration
}

// run brings the lab up, waits for the laptop giving the verdict to exit,
// and returns its exit code and both laptops' logs; the lab, and the image
// of the student's laptop, go when the test ends.
func (l studentLab) run(t *testing.T) studentRun {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	lab, side := fmt.Sprintf("%s.%d.", l.net, l.n), fmt.Sprintf("%s.%d.", l.net, 100+l.n)
	vars := map[string]string{
		"LAB_SUBNET":       lab + "0/24",
		"LAPTOP_A_IP":      lab + "10",
		"LAPTOP_B_IP":      lab + "20",
		"SIDE_SUBNET":      side + "0/24",
		"LAPTOP_A_SIDE_IP": side + "10",
		"LAPTOP_B_SIDE_IP": side + "20",
		// Published on a port the engine picks: no test here calls it
		// from this computer, and a port picked here could be taken on a
		// remote engine.
		"HOST_PORT":  "0",
		"PUBLISH_IP": where.publish.String(),
	}
	for k, v := range l.vars {
		vars[k] = strings.ReplaceAll(v, "{A}", lab+"10")
	}
	vars["STUDENT_DIR"] = filepath.Join(root, vars["STUDENT_DIR"])
	verdict, student := "laptop-b", "laptop-a"
	files := []string{filepath.Join(root, "compose.yaml")}
	for _, o := range l.overlays {
		files = append(files, filepath.Join(root, o))
		if strings.Contains(o, "my-client") {
			verdict, student = "laptop-a", "laptop-b"
		}
	}
	// The student's laptop has an image of the lab's own, with the
	// student's folder in it: removed after the lab is down (cleanups run
	// last first).
	removeImageAfter(t, l.project+"-"+student)
	// Built by the CLI, as `just my-server` does (--build): Testcontainers'
	// compose library builds only with a newer buildx than Debian's.
	settings := make([]string, 0, len(vars))
	for k, v := range vars {
		settings = append(settings, k+"="+v)
	}
	require.NoError(t, composeBuild(requireDocker(t), composeBuildSpec{
		project: l.project, overlays: l.overlays, services: []string{student}, env: settings,
		images: []string{l.project + "-" + student},
	}))
	stack := newStack(t, l.project, compose.WithStackFiles(files...))
	err = stack.WithEnv(vars).
		WaitForService(verdict, wait.ForExit().WithExitTimeout(l.wait)).
		Up(t.Context(), compose.RemoveOrphans(true))
	require.NoError(t, err, "docker compose up")

	r := studentRun{labNet: lab}
	for svc, logs := range map[string]*string{"laptop-a": &r.a, "laptop-b": &r.b} {
		ctr, err := stack.ServiceContainer(t.Context(), svc)
		require.NoError(t, err)
		*logs = (&laptop{ctr: ctr}).logs(t)
		if svc == verdict {
			st, err := ctr.State(t.Context())
			require.NoError(t, err)
			r.exit = st.ExitCode
		}
	}
	t.Logf("laptop-a:\n%s\nlaptop-b:\n%s", r.a, r.b)
	return r
}

// freePort is a port for a lab to publish, one the test then calls. It
// lies below 32768, where neither this machine's kernel nor Docker picks
// ports at random (a lab published on port 0 gets one there, on whichever
// engine runs it), is never handed out twice in one run, and was free
// here a moment ago. A port from listening on :0 was not enough: against
// a remote engine, parallel tests got the same one ("port is already
// allocated").
func freePort(t *testing.T) string {
	t.Helper()
	givenPorts.Lock()
	defer givenPorts.Unlock()
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		if givenPorts.m[port] {
			continue
		}
		l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		givenPorts.m[port] = true
		return strconv.Itoa(port)
	}
	t.Fatal("no free port between 20000 and 32000 on 127.0.0.1")
	return ""
}

var givenPorts = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// TestMyServerPassesACorrectServerAcrossHosts is `just my-server
// deploy/student/server.py`: the starter, the lecture's server in Python 3,
// bound to eth0, called by laptop-b across the lab and graded, including
// that it does not answer on laptop-a's other network.
func TestMyServerPassesACorrectServerAcrossHosts(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "deploy/student/server.py", nil)
	a := r.labNet + "10"
	require.Equal(t, 0, r.exit)
	require.Contains(t, r.a, "server listening at "+a+":8000\n")
	require.Contains(t, r.a, r.labNet+"20 said b'hi back atcha\\n'", "the student's own prints, on laptop-a")
	require.Regexp(t, `said b'abcdefghij[0-9a-z]*… \(\d+ more bytes of this line not shown\)\n`, r.a, "the print of 3000 bytes, cut")
	require.Contains(t, r.b, fmt.Sprintf("Trying %s...\nConnected to %[1]s.\nhello\nhi back atcha\nConnection closed by foreign host.\n", a))
	require.Regexp(t, `PASS  not reachable on 10\.217\.\d+\.10:8000: refused there`, r.b)
	require.Contains(t, r.b, "verdict: PASS: your server.py on laptop-a answered laptop-b across the lab")
}

// TestMyServerExplainsTheLecturesScriptAsPrinted runs the lecture's
// server.py exactly as printed (Python 2): what the student sees.
func TestMyServerExplainsTheLecturesScriptAsPrinted(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/lecture/server.py", nil)
	require.Equal(t, exitFail, r.exit)
	require.Contains(t, r.a, "SyntaxError: Missing parentheses in call to 'print'", "the traceback, on laptop-a")
	require.Contains(t, r.b, "laptop-a's server.py ended before it listened: not calling it\n")
	require.Contains(t, r.b, "verdict: FAIL: your server.py stopped before it listened.\n")
	require.Contains(t, r.b, "  - line 21: this is Python 2 code, and the lab runs Python 3")
	require.Contains(t, r.b, "  - line 6: en0 is a Mac's Wi-Fi")
	require.Contains(t, r.b, `  - line 17: this sends a str; Python 3 sockets send bytes: b"hello\n".`)
	require.NotContains(t, r.b, "Trying", "a program that ended is not called")
}

// TestMyServerExplainsEn0 runs the lecture's script with its print fixed:
// netifaces refuses en0, and the verdict says the lab's interface is eth0.
func TestMyServerExplainsEn0(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/en0/server.py", nil)
	require.Equal(t, exitFail, r.exit)
	require.Contains(t, r.a, "ValueError: You must specify a valid interface name.")
	require.Contains(t, r.b, `line 6: netifaces has no interface "en0" on this laptop. en0 is a Mac's Wi-Fi; Linux, and the lab, call the network interface eth0`)
	require.Contains(t, r.b, "this laptop has: lo, eth0, eth1")
}

// TestMyServerCatchesAServerOnEveryInterface: a server bound to 0.0.0.0
// works for laptop-b, but answers on laptop-a's other network too.
func TestMyServerCatchesAServerOnEveryInterface(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/anywhere/server.py", nil)
	require.Equal(t, exitFail, r.exit)
	require.Contains(t, r.b, "hello\nhi back atcha\nConnection closed by foreign host.\n")
	require.Regexp(t, `FAIL  not reachable on 10\.217\.\d+\.10:8000: `, r.b)
	require.Contains(t, r.b, "your server listens on 0.0.0.0:8000: on every network your laptop is on "+
		"(lo: the laptop talking to itself; eth0: the lab's network, where your partner is; eth1: another network your laptop is on)")
}

// TestMyServerRunsAnyLanguage: STUDENT_CMD runs another program instead of
// python3, here the lecture's server in Perl.
func TestMyServerRunsAnyLanguage(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/perl/server.pl",
		map[string]string{"STUDENT_CMD": "perl server.pl {A}"})
	require.Equal(t, 0, r.exit)
	require.Contains(t, r.a, "server listening at "+r.labNet+"10:8000\n")
	require.Contains(t, r.b, "verdict: PASS: your server.pl on laptop-a answered laptop-b")
}

// TestMyClientPassesTheLecturesCall is `just my-client
// deploy/student/client.py`: laptop-a answers, laptop-b's client.py calls.
func TestMyClientPassesTheLecturesCall(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-client.yaml", "deploy/student/client.py", nil)
	require.Equal(t, 0, r.exit)
	require.Contains(t, r.b, "hello\nhi back atcha\n", "the student's client's prints, on laptop-b")
	require.Regexp(t, `call from 10\.217\.\d+\.20:\d+: said "hi back atcha\\n" \(14 bytes\), echoed it, caller hung up`, r.a)
	require.Contains(t, r.a, "PASS  read the echo to the end and hung up\nPASS  ended with exit status 0\n")
	require.Contains(t, r.a, "verdict: PASS: your client.py made the lecture's call")
}

// TestMyClientFailsARudeClient hangs up before the greeting.
func TestMyClientFailsARudeClient(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-client.yaml", "e2e/testdata/student/rude/client.py", nil)
	require.Equal(t, exitFail, r.exit)
	require.Contains(t, r.a, "hung up without reading the greeting")
	require.Contains(t, r.a, "verdict: FAIL: your client.py did not make the whole lecture call.")
}
