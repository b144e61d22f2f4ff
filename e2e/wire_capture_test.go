package e2e

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go/modules/compose"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/socketlab/socketlab/internal/wire"
)

// TestWireShowsTheHandshakeGreetingEchoAndHangUp is `just wire`
// (`docker compose --profile wire up`): the wire sidecar, in laptop-a's
// network namespace with NET_RAW alone, prints laptop-b's call segment by
// segment, in order: the SYN from laptop-b, the SYN-ACK from laptop-a, the
// ACK that ends the handshake, the greeting "hello\n" from laptop-a, the
// message from laptop-b, the same bytes back from laptop-a, and laptop-a's
// FIN before any of laptop-b's. Its pcap file holds the same segments.
//
// It runs compose.yaml on a lab of its own (newLab), not in parallel (see
// lab_test.go). The one change to compose.yaml is where the pcap goes: a
// folder of the test's, not the repository's captures/, which may hold a
// student's own capture. That folder is a bind mount of this machine's, so
// the test needs the engine on this machine.
func TestWireShowsTheHandshakeGreetingEchoAndHangUp(t *testing.T) {
	requireImages(t)
	skipOnRemoteEngine(t, "`just wire` writes its pcap into this machine's captures/ through a bind mount")
	lab := newLab(t, "wire")

	captures := t.TempDir()
	// The sidecar is root without CAP_DAC_OVERRIDE: it may write only
	// where the folder's mode lets anyone, when the test is not root.
	require.NoError(t, os.Chmod(captures, 0o777))
	override := filepath.Join(t.TempDir(), "captures.yaml")
	require.NoError(t, os.WriteFile(override, fmt.Appendf(nil,
		"services:\n  wire:\n    volumes:\n      - %q\n", captures+":/captures"), 0o644))

	stack := newStack(t, lab.project,
		compose.WithStackFiles(filepath.Join(lab.root, "compose.yaml"), override), compose.WithProfiles("wire"))
	err := stack.WithEnv(lab.env).
		WaitForService("wire", wait.ForLog("client: watching TCP port 8000 on eth0").WithStartupTimeout(startTimeout)).
		WaitForService("laptop-b", wait.ForExit().WithExitTimeout(exitTimeout)).
		Up(t.Context(), compose.RemoveOrphans(true))
	require.NoError(t, err, "docker compose --profile wire up")

	b, err := stack.ServiceContainer(t.Context(), "laptop-b")
	require.NoError(t, err)
	caller := &laptop{ctr: b}
	require.Equal(t, 0, caller.waitExit(t, exitTimeout), caller.logs(t))
	require.Contains(t, caller.logs(t), "hello\nhi back atcha\nConnection closed by foreign host.\n")

	a, err := stack.ServiceContainer(t.Context(), "laptop-a")
	require.NoError(t, err)
	w, err := stack.ServiceContainer(t.Context(), "wire")
	require.NoError(t, err)
	watcher := &laptop{ctr: w}

	t.Run("the sidecar runs as compose.yaml says", func(t *testing.T) {
		in, err := w.Inspect(t.Context())
		require.NoError(t, err)
		hc := in.HostConfig
		require.Equal(t, "container:"+a.GetContainerID(), string(hc.NetworkMode), "in laptop-a's network namespace")
		require.Equal(t, "0:0", in.Config.User)
		require.Equal(t, []string{"ALL"}, []string(hc.CapDrop))
		require.Len(t, hc.CapAdd, 1)
		require.Equal(t, "NET_RAW", strings.TrimPrefix(hc.CapAdd[0], "CAP_"), "the one capability added") // compose says CAP_NET_RAW
		require.True(t, hc.ReadonlyRootfs, "read-only root filesystem")
		require.Contains(t, hc.SecurityOpt, "no-new-privileges:true")

		// Unless the test moves it, the pcap lands in the repository's
		// captures/, the folder `just wire` makes and README points to.
		cmd := exec.CommandContext(t.Context(), "docker", "compose", "-f", filepath.Join(lab.root, "compose.yaml"),
			"--profile", "wire", "config", "--format", "json")
		cmd.Dir = lab.root
		out, err := cmd.Output()
		require.NoError(t, err, "docker compose --profile wire config")
		var cfg struct {
			Services map[string]struct {
				Volumes []struct{ Type, Source, Target string }
			}
		}
		require.NoError(t, json.Unmarshal(out, &cfg))
		require.Contains(t, cfg.Services["wire"].Volumes,
			struct{ Type, Source, Target string }{"bind", filepath.Join(lab.root, "captures"), "/captures"})
	})

	// The last segment is laptop-a's ACK of laptop-b's FIN, a moment after
	// laptop-b exits. Then a graceful stop, as Ctrl-C on `just wire`.
	watcher.waitLog(t, "the call is over", 10*time.Second)
	stopWithin := 10 * time.Second
	require.NoError(t, w.Stop(t.Context(), &stopWithin))
	require.Equal(t, 0, watcher.waitExit(t, time.Second), "watch exits 0 on SIGTERM:\n%s", watcher.logs(t))
	logs := watcher.logs(t)
	t.Logf("the wire sidecar's output:\n%s", logs)

	names := map[netip.Addr]string{
		netip.MustParseAddr(lab.a): "laptop-a",
		netip.MustParseAddr(lab.b): "laptop-b",
	}
	shown := parseWatchText(t, logs)
	require.Equal(t, 1, countLines(logs, ") calls laptop-a ("), "one call on the wire:\n%s", logs)
	require.Regexp(t, `(?m)^call 1: laptop-b \(`+regexp.QuoteMeta(lab.b)+`:\d+\) calls laptop-a \(`+regexp.QuoteMeta(lab.a)+`:8000\)$`, logs)
	requireLectureCall(t, shown, "hi back atcha\n", true)
	for _, s := range shown {
		require.ElementsMatch(t, []string{"laptop-a", "laptop-b"}, []string{s.from, s.to}, "every segment is between the two laptops")
	}

	// The pcap: the same segments, frame by frame.
	raw, err := os.ReadFile(filepath.Join(captures, "call.pcap"))
	require.NoError(t, err, "watch -pcap-file /captures/call.pcap")
	captured := readPcapSegments(t, raw, names)
	require.Regexp(t, fmt.Sprintf(`client: watch saw %d segments in 1 call; pcap written to /captures/call.pcap`, len(captured)), logs)
	require.Len(t, captured, len(shown), "the pcap has a frame for each line shown")
	for i, c := range captured {
		s := shown[i]
		require.Equal(t, [3]string{s.from, s.to, s.flags}, [3]string{c.from, c.to, c.flags}, "segment %d", i)
		require.Equal(t, s.payload, c.payload, "segment %d's payload", i)
	}
	requireLectureCall(t, captured, "hi back atcha\n", false)
}

// segment is one TCP segment as the test compares them: from watch's text
// output or from a pcap frame (which has no gloss).
type segment struct {
	from, to, flags string
	payload         string
	gloss           string
}

// watchLine is one segment line of `client watch`'s text output, e.g.
//
//	+0.412ms   laptop-a → laptop-b  PSH,ACK  seq=1 ack=1      len=6  "hello\n"   ← the greeting: laptop-a speaks first
var watchLine = regexp.MustCompile(`^\+[0-9.]+ms +(\S+) → (\S+) +(\S+) +seq=\d+(?: ack=\d+)? +len=(\d+)(?:  ("(?:[^"\\]|\\.)*"))?(?:   ← (.*))?$`)

// parseWatchText reads the segment lines out of watch's output; the
// call headers and watch's own messages (stderr) are left out.
func parseWatchText(t *testing.T, logs string) []segment {
	t.Helper()
	var segs []segment
	for line := range strings.Lines(logs) {
		line = strings.TrimRight(line, "\n")
		if !strings.HasPrefix(line, "+") {
			continue
		}
		m := watchLine.FindStringSubmatch(line)
		require.NotNil(t, m, "a segment line watch printed: %q", line)
		s := segment{from: m[1], to: m[2], flags: m[3], gloss: m[6]}
		if m[5] != "" {
			p, err := strconv.Unquote(m[5])
			require.NoError(t, err, line)
			s.payload = p
		}
		require.Equal(t, m[4], strconv.Itoa(len(s.payload)), "the whole payload is shown: %q", line)
		segs = append(segs, s)
	}
	return segs
}

// requireLectureCall checks the lecture's call in segs, in order: the
// handshake, greeting, message and echo, then laptop-a's FIN before any of
// laptop-b's, and no reset. With glossed, each step's note too.
func requireLectureCall(t *testing.T, segs []segment, msg string, glossed bool) {
	t.Helper()
	steps := []struct {
		what   string
		from   string
		match  func(segment) bool
		glossy string
	}{
		{"the SYN", "laptop-b", func(s segment) bool { return s.flags == "SYN" || strings.HasPrefix(s.flags, "SYN,") }, "the phone rings: laptop-b calls laptop-a at port 8000"},
		{"the SYN-ACK", "laptop-a", func(s segment) bool { return strings.HasPrefix(s.flags, "SYN-ACK") }, "laptop-a's kernel answers"},
		{"the ACK", "laptop-b", func(s segment) bool { return s.flags == "ACK" && s.payload == "" }, "three-way handshake done"},
		{"the greeting", "laptop-a", func(s segment) bool { return s.payload == greeting }, "the greeting: laptop-a speaks first"},
		{"the message", "laptop-b", func(s segment) bool { return s.payload == msg }, "the message: laptop-b speaks"},
		{"the echo", "laptop-a", func(s segment) bool { return s.payload == msg }, "the echo: laptop-a sends laptop-b's bytes back"},
		{"the first FIN", "laptop-a", func(s segment) bool { return strings.Contains(s.flags, "FIN") }, "laptop-a hangs up first"},
		{"laptop-b's FIN", "laptop-b", func(s segment) bool { return strings.Contains(s.flags, "FIN") }, "laptop-b hangs up too"},
	}
	for k, s := range segs {
		require.NotContains(t, s.flags, "RST", "segment %d: %+v", k, segs)
	}
	first := slices.IndexFunc(segs, func(s segment) bool { return strings.Contains(s.flags, "FIN") })
	require.GreaterOrEqual(t, first, 0, "no FIN: %+v", segs)
	require.Equal(t, "laptop-a", segs[first].from, "the first FIN is the server's: %+v", segs)
	at := 0
	for i, step := range steps {
		found := -1
		for k := at; k < len(segs); k++ {
			if segs[k].from == step.from && step.match(segs[k]) {
				found = k
				break
			}
		}
		require.GreaterOrEqual(t, found, 0, "%s from %s after segment %d: %+v", step.what, step.from, at, segs)
		if i < 3 {
			require.Equal(t, i, found, "the handshake is the call's first three segments: %+v", segs)
		}
		if glossed {
			require.Contains(t, segs[found].gloss, step.glossy, "%s: %+v", step.what, segs[found])
		}
		at = found
		if step.what != "the echo" { // the echo and the FIN may share a segment
			at++
		}
	}
}

// readPcapSegments reads a classic pcap file as watch -pcap-file writes it (the
// microsecond magic a1b2c3d4, little-endian, Ethernet frames) and decodes
// each frame with the wire package's decoder.
func readPcapSegments(t *testing.T, b []byte, names map[netip.Addr]string) []segment {
	t.Helper()
	const globalHeader, recordHeader = 24, 16
	le := binary.LittleEndian
	require.GreaterOrEqual(t, len(b), globalHeader, "the pcap's global header")
	require.Equal(t, uint32(0xa1b2c3d4), le.Uint32(b[0:]), "magic")
	require.Equal(t, [2]uint16{2, 4}, [2]uint16{le.Uint16(b[4:]), le.Uint16(b[6:])}, "version")
	require.Equal(t, uint32(wire.LinkTypeEthernet), le.Uint32(b[20:]), "link type")
	var segs []segment
	var last time.Time
	for rest := b[globalHeader:]; len(rest) > 0; {
		require.GreaterOrEqual(t, len(rest), recordHeader, "record %d's header", len(segs))
		ts := time.Unix(int64(le.Uint32(rest[0:])), int64(le.Uint32(rest[4:]))*1000)
		incl, orig := int(le.Uint32(rest[8:])), int(le.Uint32(rest[12:]))
		require.True(t, incl <= orig && recordHeader+incl <= len(rest), "record %d: %d of %d bytes, %d left", len(segs), incl, orig, len(rest))
		require.False(t, ts.Before(last), "record %d's time goes back", len(segs))
		last = ts
		seg, err := wire.Decode(rest[recordHeader : recordHeader+incl])
		require.NoError(t, err, "record %d", len(segs))
		from, to := names[seg.Src.Addr()], names[seg.Dst.Addr()]
		require.True(t, from != "" && to != "", "record %d is between %v and %v, not the two laptops", len(segs), seg.Src, seg.Dst)
		require.True(t, seg.Src.Port() == 8000 || seg.Dst.Port() == 8000, "record %d: %v → %v", len(segs), seg.Src, seg.Dst)
		segs = append(segs, segment{from: from, to: to, flags: seg.Flags.String(), payload: string(seg.Payload)})
		rest = rest[recordHeader+incl:]
	}
	return segs
}
