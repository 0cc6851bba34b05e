package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/policytest"
)

// The JUnit format writes a report as JUnit XML, the test report CI systems show. A check report: a
// test suite per manifest file, a test case per activity, a failure per denied activity listing its
// reasons, an error per activity or file that could not be decided; warnings go to the case's
// system-out. A test report: a test suite per case file and per Rego file, a test case per case and
// per Rego test, with its time, and a failure per one that failed.

// junitSuites is the document. The counts of errors are there for a check report only (nil for
// a test report, which has none), and so is the time of a case for a test report only.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr,omitempty"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   *int         `xml:"errors,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`

	suiteOf map[string]int // a suite's place in Suites, by name
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   *int        `xml:"errors,attr,omitempty"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      *float64      `xml:"time,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// add puts a case in the suite of its class name (a new suite, last, for a new name) and counts
// it, its failure and its error, in the suite and in the whole.
func (out *junitSuites) add(c junitCase) {
	i, ok := out.suiteOf[c.Classname]
	if !ok {
		if out.suiteOf == nil {
			out.suiteOf = map[string]int{}
		}
		i = len(out.Suites)
		out.suiteOf[c.Classname] = i
		out.Suites = append(out.Suites, junitSuite{Name: c.Classname})
		if out.Errors != nil {
			out.Suites[i].Errors = new(int)
		}
	}
	s := &out.Suites[i]
	s.Cases = append(s.Cases, c)
	s.Tests++
	out.Tests++
	if c.Failure != nil {
		s.Failures++
		out.Failures++
	}
	if c.Error != nil {
		*s.Errors++
		*out.Errors++
	}
}

// checkJUnit writes a check report.
func checkJUnit(w io.Writer, r *check.Report, _ Options) error {
	out := junitSuites{Name: "policyengine", Errors: new(int)}
	for _, res := range r.Results {
		name := res.Activity
		if res.Index < 0 && name == "" {
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
			c.Error = &junitProblem{Message: Plural(len(res.Errors), "input error"), Type: check.InputRule, Text: strings.Join(lines, "\n")}
		case !res.Allow:
			var lines []string
			for _, f := range res.Reasons {
				lines = append(lines, fmt.Sprintf("%s%s at %s: %s [%s]", lineIn(f.File, f.Line), f.Rule, pathOrRoot(f.Path), f.Message, f.Clause))
			}
			c.Failure = &junitProblem{Message: "denied: " + Plural(len(res.Reasons), "reason"), Type: "deny", Text: strings.Join(lines, "\n")}
		}
		var notes []string
		for _, f := range res.Warnings {
			notes = append(notes, fmt.Sprintf("warning: %s%s at %s: %s [%s]", lineIn(f.File, f.Line), f.Rule, pathOrRoot(f.Path), f.Message, f.Clause))
		}
		if len(res.Warnings) > 0 && r.WarningsFail() && c.Failure == nil && c.Error == nil {
			// With --fail-on-warn a warning fails the run, so it is the case's failure.
			c.Failure = &junitProblem{Message: Plural(len(res.Warnings), "warning") + " (--fail-on-warn)", Type: "warning", Text: strings.Join(notes, "\n")}
		}
		for _, cond := range res.Conditions {
			notes = append(notes, fmt.Sprintf("condition: %s%s at %s: requires %s [%s]", lineIn(cond.File, cond.Line), cond.Rule, pathOrRoot(cond.Path), cond.Requires, cond.Clause))
		}
		if len(notes) > 0 {
			c.SystemOut = strings.Join(notes, "\n")
		}
		out.add(c)
	}
	return writeXML(w, out)
}

// testJUnit writes a test report, its suites sorted by file.
func testJUnit(w io.Writer, r *policytest.Report, _ Options) error {
	out := junitSuites{}
	add := func(file string, line int, name string, d time.Duration, passed bool, failure string) {
		secs := d.Seconds()
		c := junitCase{Name: name, Classname: file, Time: &secs}
		if !passed {
			c.Failure = &junitProblem{Message: fmt.Sprintf("%s:%d", file, line), Text: failure}
		}
		out.add(c)
	}
	for _, c := range r.Cases {
		add(c.File, c.Line, c.Name, c.Duration, c.Passed, strings.Join(c.Failures, "\n"))
	}
	for _, t := range r.Rego {
		add(t.File, t.Line, t.Name, t.Duration, t.Passed, t.Failure)
	}
	sort.SliceStable(out.Suites, func(i, j int) bool { return out.Suites[i].Name < out.Suites[j].Name })
	return writeXML(w, out)
}

// writeXML writes v as an indented XML document with its header, ending with a newline.
func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
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
