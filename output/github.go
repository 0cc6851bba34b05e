package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/confect/policyengine/check"
)

// GitHub writes the report as GitHub Actions workflow commands: an ::error annotation per reason
// and per input error, a ::warning per warning, a ::notice per condition of a declaration, each on the manifest's file and line, so they
// show on the pull request's diff. A summary line ends it.
type GitHub struct{ unsupported }

// FormatCheck writes a check report.
func (GitHub) FormatCheck(w io.Writer, r *check.Report) error {
	bw := bufio.NewWriter(w)
	for _, res := range r.Results {
		for _, p := range res.Errors {
			annotate(bw, "error", p.In(res.File), p.Line, p.Column, InputRule, problem(p.Pointer, p.Message))
		}
		for _, f := range res.Reasons {
			annotate(bw, "error", f.In(res.File), f.Line, f.Column, f.Rule, fmt.Sprintf("%s: %s (%s; policy: %s)", res.Activity, f.Message, pathOrRoot(f.Path), f.Clause))
		}
		for _, f := range res.Warnings {
			annotate(bw, warningLevel(r, "warning", "error"), f.In(res.File), f.Line, f.Column, f.Rule, fmt.Sprintf("%s: %s (%s; policy: %s)", res.Activity, f.Message, pathOrRoot(f.Path), f.Clause))
		}
		for _, c := range res.Conditions {
			annotate(bw, "notice", c.In(res.File), c.Line, c.Column, c.Rule, fmt.Sprintf("%s: at run time, requires %s (%s; policy: %s)", res.Activity, c.Requires, pathOrRoot(c.Path), c.Clause))
		}
	}
	fmt.Fprintf(bw, "policyengine: %s\n", summary(r.Summary))
	if s := warningsFail(r); s != "" {
		fmt.Fprint(bw, "policyengine: "+s)
	}
	return bw.Flush()
}

// annotate writes one workflow command, escaped as GitHub requires.
func annotate(w io.Writer, level, file string, line, col int, title, message string) {
	props := []string{"file=" + escapeProperty(file)}
	if line > 0 {
		props = append(props, fmt.Sprintf("line=%d", line))
		if col > 0 {
			props = append(props, fmt.Sprintf("col=%d", col))
		}
	}
	props = append(props, "title="+escapeProperty(title))
	fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), escapeData(message))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }
