package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The README is the front door: a student's quick start first, then a short
// paragraph and a link per reader. These tests keep it so; they need no
// Docker.

// readmeMaxLines is the front door's size (SPEC: at most 250 lines).
const readmeMaxLines = 250

// quickStartEnd is the line by which everything a student needs has come.
const quickStartEnd = 70

// guides are the pages the README sends each reader to, each beside what it
// describes.
var guides = []string{
	"deploy/student/README.md",      // the student's
	"deploy/grading/README.md",      // the TA's
	"internal/callcenter/README.md", // the call center's
	"deploy/engine/README.md",       // where it runs, and CI
	".devcontainer/README.md",       // only a browser
	"server/README.md",              // flags, kept equal to -h by TestReadme
	"client/README.md",
	"deploy/README.md",       // the map of deploy/
	"deploy/swarm/README.md", // across machines
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, rel))
	require.NoError(t, err, rel)
	return string(b)
}

func TestReadmeIsAFrontDoor(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	lines := strings.Split(strings.TrimRight(readme, "\n"), "\n")
	require.LessOrEqual(t, len(lines), readmeMaxLines, "README.md has %d lines: the front door is at most %d; what a reader needs beyond it goes in their guide", len(lines), readmeMaxLines)

	t.Run("the student's quick start comes first", func(t *testing.T) {
		head := strings.Join(lines[:min(quickStartEnd, len(lines))], "\n")
		for _, want := range []string{
			"brew install just", "winget install Casey.Just", "scoop install just", "npm install -g rust-just",
			"bash deploy/setup.sh", "$ docker compose up", "laptop-a-1  | server listening at 172.28.5.10:8000",
			"laptop-b-1 exited with code 0", "$ telnet localhost 8000", "just talk", "just my-server", "docker compose down", "just down",
		} {
			require.Contains(t, head, want, "the first %d lines of README.md, a student's quick start", quickStartEnd)
		}
		require.NotContains(t, head, "go test", "go test ./... is for maintainers, not one of a student's commands")
	})

	t.Run("every guide exists and is linked", func(t *testing.T) {
		for _, g := range guides {
			readRepoFile(t, g)
			require.Contains(t, readme, "]("+g+")", "README.md links %s", g)
		}
	})

	t.Run("every command in a console block is a recipe, a file or a tool", func(t *testing.T) {
		recipes := justRecipes(t)
		for _, cmd := range consoleCommands(readme) {
			words := strings.Fields(cmd)
			switch words[0] {
			case "just":
				if len(words) > 1 {
					require.True(t, recipes[words[1]], "README.md: `%s`: the Justfile has no recipe %s", cmd, words[1])
				}
			case "bash":
				_, err := os.Stat(filepath.Join(mustRoot(t), words[1]))
				require.NoError(t, err, "README.md: `%s`", cmd)
			case "docker", "telnet", "git", "cd", "mkdir", "cp", "brew", "winget", "scoop", "npm":
			default:
				t.Errorf("README.md: `%s`: not a recipe, a file of the repository or a tool the quick start installs", cmd)
			}
		}
	})
}

// TestGuidesLinksResolve: every relative link of the README and of the
// guides this repository keeps beside what they describe names a file or a
// folder that is there, and every #anchor a heading of its page.
func TestGuidesLinksResolve(t *testing.T) {
	root := mustRoot(t)
	for _, page := range []string{"README.md", "deploy/student/README.md", "internal/callcenter/README.md", "deploy/engine/README.md", ".devcontainer/README.md", "deploy/README.md"} {
		text := readRepoFile(t, page)
		for _, link := range markdownLinks(text) {
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(link, "#")
			target := page
			if path != "" {
				target = filepath.ToSlash(filepath.Join(filepath.Dir(page), path))
				_, err := os.Stat(filepath.Join(root, target))
				require.NoError(t, err, "%s links %q", page, link)
			}
			if anchor != "" && strings.HasSuffix(target, ".md") {
				require.Contains(t, headingAnchors(readRepoFile(t, target)), anchor, "%s links %q: no such heading in %s", page, link, target)
			}
		}
	}
}

func mustRoot(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	return root
}

var (
	linkRE    = regexp.MustCompile(`\]\(([^)\s]+)\)|<img src="?([^"\s>]+)`)
	recipeRE  = regexp.MustCompile(`^([a-z][a-z0-9-]*)\b[^:=]*:`)
	anchorBad = regexp.MustCompile(`[^\p{L}\p{N} _-]`)
)

// markdownLinks are the targets of a page's [text](target) links and
// <img src> images, outside code blocks.
func markdownLinks(text string) []string {
	var links []string
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
			links = append(links, m[1]+m[2])
		}
	}
	return links
}

// headingAnchors are a page's headings as GitHub names their anchors:
// lower case, punctuation dropped, spaces as hyphens.
func headingAnchors(text string) []string {
	var anchors []string
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(line, "#"))
		h = anchorBad.ReplaceAllString(strings.ToLower(h), "")
		anchors = append(anchors, strings.ReplaceAll(h, " ", "-"))
	}
	return anchors
}

// consoleCommands are the "$ " lines of a page's console blocks.
func consoleCommands(text string) []string {
	var cmds []string
	inConsole := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "```console"):
			inConsole = true
		case strings.HasPrefix(line, "```"):
			inConsole = false
		case inConsole && strings.HasPrefix(line, "$ "):
			cmds = append(cmds, strings.TrimPrefix(line, "$ "))
		}
	}
	return cmds
}

// justRecipes are the Justfile's recipe names.
func justRecipes(t *testing.T) map[string]bool {
	t.Helper()
	recipes := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(readRepoFile(t, "Justfile")))
	for sc.Scan() {
		if m := recipeRE.FindStringSubmatch(sc.Text()); m != nil {
			recipes[m[1]] = true
		}
	}
	require.True(t, recipes["my-server"] && recipes["down"], "the Justfile's recipes: %v", recipes)
	return recipes
}
