package browsertest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/ropa"
)

// browser finds Chromium: $CHROMIUM, or the usual names on PATH. Missing, the test is skipped,
// except under CI=true, where it fails (.ci/run installs Debian's chromium).
func browser(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "chrome", "headless_shell"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no headless browser: install Debian's chromium (.ci/run does) or set CHROMIUM")
	}
	t.Skip("no headless browser (chromium) installed; set CHROMIUM, or run under CI=true to make this a failure")
	return ""
}

// run runs the browser headless on a page, with the given extra flags, and returns its output
// and its log.
func run(t *testing.T, bin, page string, flags ...string) (stdout, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page)...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	require.NoError(t, cmd.Run(), "the browser: %s", errs.String())
	return out.String(), errs.String()
}

// console returns what the page wrote to the console (errors, a refused fetch, any log).
func console(log string) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, ":CONSOLE") {
			out = append(out, line)
		}
	}
	return out
}

func checkReport(t *testing.T, format string) (*check.Report, string) {
	t.Helper()
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	t.Chdir("../..") // the report names the files as a user who checks from the repository's root sees them
	rep, err := check.Run(context.Background(), e, []string{"examples/manifests"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	var buf bytes.Buffer
	switch format {
	case "check":
		require.NoError(t, output.WriteCheck(&buf, "html", rep, output.Options{}))
	case "ropa":
		rec, err := ropa.Build(rep)
		require.NoError(t, err)
		require.NoError(t, output.WriteRecord(&buf, "html", rec, output.Options{}))
	}
	page := filepath.Join(t.TempDir(), format+".html")
	require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o644))
	return rep, page
}

// update writes the check report's screenshot to docs/report.png, the picture docs/record.md
// shows: go test ./internal/browsertest -run TestCheckReportInABrowser -update.
var update = flag.Bool("update", false, "write the check report's screenshot to docs/report.png")

var declarationNode = regexp.MustCompile(`<g class="node declaration [a-z_]+" data-node="declaration" data-id="([^"]*)"`)

func TestCheckReportInABrowser(t *testing.T) {
	bin := browser(t)
	rep, page := checkReport(t, "check")

	dom, log := run(t, bin, page, "--dump-dom")
	assert.Empty(t, console(log), "the page loads without console errors, and fetches nothing")
	assert.Contains(t, dom, `data-ready="true"`, "the page's script ran to its end")
	assert.Contains(t, dom, fmt.Sprintf("%d of %d rows", len(rep.Results), len(rep.Results)), "the declarations filter counted its rows")
	nodes := declarationNode.FindAllStringSubmatch(dom, -1)
	assert.Len(t, nodes, len(rep.Results), "the picture has a node for every declaration")
	for _, res := range rep.Results {
		assert.Contains(t, dom, `data-label="`+res.Activity+`"`, res.Activity)
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	_, log = run(t, bin, page, "--window-size=1280,1600", "--screenshot="+shot)
	assert.Empty(t, console(log))
	notBlank(t, shot)
	if *update {
		png, err := os.ReadFile(shot)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("docs/report.png", png, 0o644))
	}

	// Printed to PDF, as a privacy officer hands it on.
	pdf := filepath.Join(t.TempDir(), "report.pdf")
	run(t, bin, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	data, err := os.ReadFile(pdf)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("%PDF-")), "a PDF")
	assert.Greater(t, bytes.Count(data, []byte("/Type /Page")), 2, "of several pages: the picture and every table")
}

func TestRecordInABrowser(t *testing.T) {
	bin := browser(t)
	rep, page := checkReport(t, "ropa")
	dom, log := run(t, bin, page, "--dump-dom")
	assert.Empty(t, console(log))
	assert.Contains(t, dom, `data-ready="true"`)
	assert.Contains(t, dom, fmt.Sprintf("%d of %d rows", len(rep.Results), len(rep.Results)))
	shot := filepath.Join(t.TempDir(), "record.png")
	run(t, bin, page, "--window-size=1280,1200", "--screenshot="+shot)
	notBlank(t, shot)
}

// notBlank asserts a screenshot shows something: a good share of its pixels differ from the
// background, in more than a handful of colours.
func notBlank(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	require.Greater(t, b.Dx(), 100)
	bg := img.At(b.Min.X, b.Min.Y)
	br, bgc, bb, _ := bg.RGBA()
	differ, total := 0, 0
	colours := map[[3]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			total++
			if r != br || g != bgc || bl != bb {
				differ++
			}
			if len(colours) < 1000 {
				colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			}
		}
	}
	assert.Greater(t, float64(differ)/float64(total), 0.03, "the screenshot is not blank")
	assert.Greater(t, len(colours), 16, "the screenshot holds more than a few colours")
}
