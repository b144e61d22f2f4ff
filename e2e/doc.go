// Package e2e proves the lab across containers with distinct IP addresses,
// the way the lecture's two laptops would: the server binds one interface's
// address, greets with exactly "hello\n", echoes across hosts, and behaves
// as its flags promise under a crowd, a stop and a network cut.
//
// It holds only tests. They need a Docker engine with the compose plugin
// and run with the rest:
//
//	go test ./...              (every test; these skip without Docker, fail without it in CI=true)
//	go test -count=1 ./e2e/    (just these, never cached)
//
// The images are built once per run from deploy/Dockerfile with
// `docker compose build` (GO_IMAGE from the environment or .env), then
// shared by every test; nothing is ever pulled. Each test makes its own
// network and removes every container and network it made. The test
// process reaches a container only through a port published on 127.0.0.1;
// calls between laptops go from container to container.
//
// The TestLab tests and TestWireShowsTheHandshakeGreetingEchoAndHangUp
// (compose.yaml's wire profile) run compose.yaml itself, on the lab's subnet
// (172.28.5.0/24) and host port (127.0.0.1:8000), or on the LAB_SUBNET,
// LAPTOP_A_IP, LAPTOP_B_IP and HOST_PORT set in the environment or .env: a
// lab left up makes them fail, with the command that takes it down. A run
// cut short (Ctrl-C) can leave containers behind, since no reaper runs:
// `docker ps -a --filter label=org.testcontainers` lists them.
package e2e
