package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/confect/policyengine/check"
)

// startGitHubCheck begins a check report as GitHub Actions workflow commands: an ::error annotation per
// reason and per input error, a ::warning per warning, each on the manifest's file and line, so
// they show on the pull request's diff; at most one ::notice per declaration, on its line, with the
// conditions specific to it, and one for the run with the rights every person has (every condition
// in its declaration's notice with Options.AllConditions). A summary line ends it. It is written as
// the results come.
func startGitHubCheck(w io.Writer, head *check.Report, o Options) CheckStream {
	return &githubCheck{bw: bufio.NewWriter(w), failOnWarn: head.FailOnWarn, rights: rightsTally{all: o.AllConditions}}
}

// githubCheck writes annotations as results come, and the rights every person has after them.
type githubCheck struct {
	bw         *bufio.Writer
	failOnWarn bool
	rights     rightsTally
}

// Result writes one result's annotations.
func (g *githubCheck) Result(res check.Result) error {
	bw := g.bw
	for _, p := range res.Errors {
		annotate(bw, "error", p.In(res.File), p.Line, p.Column, check.InputRule, problem(p.Pointer, p.Message))
	}
	for _, f := range res.Reasons {
		annotate(bw, "error", f.In(res.File), f.Line, f.Column, f.Rule, fmt.Sprintf("%s: %s (%s; policy: %s)", res.Activity, f.Message, pathOrRoot(f.Path), f.Clause))
	}
	level := levelOf(g.failOnWarn, "warning", "error")
	for _, f := range res.Warnings {
		annotate(bw, level, f.In(res.File), f.Line, f.Column, f.Rule, fmt.Sprintf("%s: %s (%s; policy: %s)", res.Activity, f.Message, pathOrRoot(f.Path), f.Clause))
	}
	if cs := g.rights.listed(&res); len(cs) > 0 {
		annotate(bw, "notice", res.File, res.Line, res.Column, "conditions of "+res.Activity, res.Activity+": "+requirements(cs))
	}
	g.rights.add(&res)
	return nil
}

// End writes the notice of the rights every person has, and the summary.
func (g *githubCheck) End(r *check.Report) error {
	bw := g.bw
	if rs := g.rights.rights; len(rs) > 0 {
		parts := make([]string, len(rs))
		for i, c := range rs {
			parts[i] = fmt.Sprintf("%s: %s", Plural(c.declarations, "declaration"), requirement(c.Condition))
		}
		fmt.Fprintf(bw, "::notice title=%s::%s\n", escapeProperty("the rights every person has"), escapeData("conditions at run time of the declarations checked, said once here: "+strings.Join(parts, "; ")))
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
