package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/encode"
)

// JUnit writes the report as JUnit XML, the test report CI systems show: a test suite per
// manifest file, a test case per activity, a failure per denied activity listing its reasons,
// an error per activity or file that could not be decided. Warnings go to the case's
// system-out.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Format writes the report.
func (JUnit) Format(w io.Writer, r *check.Report) error {
	out := junitSuites{Name: "policyengine"}
	suiteOf := map[string]int{}
	for _, res := range r.Results {
		i, ok := suiteOf[res.File]
		if !ok {
			i = len(out.Suites)
			suiteOf[res.File] = i
			out.Suites = append(out.Suites, junitSuite{Name: res.File})
		}
		s := &out.Suites[i]
		name := res.Activity
		if res.Index < 0 {
			name = "(file)"
		} else if name == "" {
			name = fmt.Sprintf("(activity %d)", res.Index+1)
		}
		c := junitCase{Name: name, Classname: res.File, File: res.File, Line: res.Line}
		switch {
		case res.Failed():
			var lines []string
			for _, p := range res.Errors {
				lines = append(lines, fmt.Sprintf("%s%s", lineIn(p.File, p.Line), problem(p.Pointer, p.Message)))
			}
			c.Error = &junitProblem{Message: plural(len(res.Errors), "input error"), Type: InputRule, Text: strings.Join(lines, "\n")}
			s.Errors++
			out.Errors++
		case !res.Allow:
			var lines []string
			for _, f := range res.Reasons {
				lines = append(lines, fmt.Sprintf("%s%s at %s: %s [%s]", lineIn(f.File, f.Line), f.Rule, pathOrRoot(f.Path), f.Message, f.Clause))
			}
			c.Failure = &junitProblem{Message: "denied: " + plural(len(res.Reasons), "reason"), Type: "deny", Text: strings.Join(lines, "\n")}
			s.Failures++
			out.Failures++
		}
		var notes []string
		for _, f := range res.Warnings {
			notes = append(notes, fmt.Sprintf("warning: %s%s at %s: %s [%s]", lineIn(f.File, f.Line), f.Rule, pathOrRoot(f.Path), f.Message, f.Clause))
		}
		if len(res.Warnings) > 0 && r.WarningsFail() && c.Failure == nil && c.Error == nil {
			// With --fail-on-warn a warning fails the run, so it is the case's failure.
			c.Failure = &junitProblem{Message: plural(len(res.Warnings), "warning") + " (--fail-on-warn)", Type: "warning", Text: strings.Join(notes, "\n")}
			s.Failures++
			out.Failures++
		}
		for _, cond := range res.Conditions {
			notes = append(notes, fmt.Sprintf("condition: %s%s at %s: requires %s [%s]", lineIn(cond.File, cond.Line), cond.Rule, pathOrRoot(cond.Path), cond.Requires, cond.Clause))
		}
		if len(notes) > 0 {
			c.SystemOut = strings.Join(notes, "\n")
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
		out.Tests++
	}
	return encode.XML(w, out)
}

func lineOf(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", line)
}

// lineIn is lineOf, naming the file too when a finding stands in another file than its case's.
func lineIn(file string, line int) string {
	if file == "" {
		return lineOf(line)
	}
	if line <= 0 {
		return fmt.Sprintf("%s: ", file)
	}
	return fmt.Sprintf("%s line %d: ", file, line)
}
