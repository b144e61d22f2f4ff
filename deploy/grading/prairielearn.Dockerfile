# deploy/grading/prairielearn.Dockerfile builds socketlab's external grader for
# PrairieLearn, socketlab/prairielearn:local:
#
#   docker compose --profile prairielearn build prairielearn   (just prairielearn)
#   docker run --rm -v "$PWD/job:/grade" socketlab/prairielearn:local
#
# It grades /grade/student (the student's server.py, server.c, server.cpp,
# Server.java, server.js or server.go, built first) into
# /grade/results/results.json, in PrairieLearn's format, on the one
# container PrairieLearn gives the job: client onehost, the lab's
# checks and verdict with no Docker. As root: it runs the student's program
# as a fresh unprivileged user, and must write /grade/results, which the
# grading host owns. Exec form throughout; BuildKit, as deploy/Dockerfile.
ARG GO_IMAGE=golang:1.26
# LAPTOP_BASE is the lab laptop's base, with every language's toolchain
# (socketlab/laptop-base from `deploy/setup.sh --offline`), or any Debian
# image, which apt completes.
ARG LAPTOP_BASE=debian:bookworm-slim

FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
ARG TARGETOS TARGETARCH
ENV CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH
WORKDIR /src
COPY go.mod go.sum* ./
COPY internal/ internal/
COPY client/ client/
ENV GOCACHE=/cache/go-build
RUN --mount=type=cache,id=socketlab-go-build,target=/cache/go-build \
    ["go", "build", "-trimpath", "-ldflags=-s -w", "-o", "/out/", "./client"]

FROM ${LAPTOP_BASE} AS prairielearn
LABEL org.opencontainers.image.title="socketlab PrairieLearn grader" \
      org.opencontainers.image.description="PrairieLearn external grader for the sockets lecture's server: /grade/student into /grade/results/results.json" \
      org.opencontainers.image.source="https://github.com/socketlab/socketlab"
# The offline base has both already: apt runs only on a plain Debian image.
# The same toolchains as the lab's laptop (deploy/Dockerfile's laptop stage).
RUN python3 -c 'import netifaces' 2>/dev/null && command -v gcc g++ make javac node go >/dev/null || { \
      mkdir -p /usr/share/man/man1 && apt-get update && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-netifaces gcc g++ make libc6-dev nodejs golang-go default-jdk-headless && \
      rm -rf /var/lib/apt/lists/*; }
COPY --from=build /out/client /usr/local/bin/client
COPY internal/results/weights.txt /usr/local/share/socketlab/weights.txt
ENV PYTHONUNBUFFERED=1
USER 0:0
WORKDIR /grade
# The whole command is the entrypoint: an info.json that names none gets
# it, and flags given to `docker run` are added to it.
ENTRYPOINT ["/usr/local/bin/client", "onehost", "-dir", "/grade/student", "-prairielearn-file", "/grade/results/results.json", "-weights", "/usr/local/share/socketlab/weights.txt"]
