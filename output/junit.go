package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
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

// The document is written a suite at a time (junitWriter): a check report's as its results
// come, each file's suite once its last result is in. Its root, <testsuites>, therefore carries
// no totals for a check report, which are known only after the last suite: each suite has its
// own counts, which is what the CI systems that read JUnit sum. A test report, written whole,
// keeps its totals on the root.

// junitSuite is a test suite. The count of errors is there for a check report only (nil for a
// test report, which has none), and so is the time of a case for a test report only.
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

// add puts a case in the suite and counts it, its failure and its error.
func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	if c.Error != nil && s.Errors != nil {
		*s.Errors++
	}
}

// junitWriter writes a JUnit document as an indented XML document with its header, a suite at a
// time: the root's start tag (begin), each suite (suite), the root's end tag (end).
type junitWriter struct {
	w   io.Writer
	enc *xml.Encoder
}

// begin writes the header and the root's start tag, with its attributes (name, counts).
func (j *junitWriter) begin(w io.Writer, attrs ...xml.Attr) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	j.w, j.enc = w, xml.NewEncoder(w)
	j.enc.Indent("", "  ")
	return j.enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: "testsuites"}, Attr: attrs})
}

// suite writes one suite.
func (j *junitWriter) suite(s *junitSuite) error {
	return j.enc.EncodeElement(s, xml.StartElement{Name: xml.Name{Local: "testsuite"}})
}

// end writes the root's end tag, ending the document with a newline.
func (j *junitWriter) end() error {
	if err := j.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: "testsuites"}}); err != nil {
		return err
	}
	if err := j.enc.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(j.w, "\n")
	return err
}

// count is an attribute holding a count.
func count(name string, n int) xml.Attr {
	return xml.Attr{Name: xml.Name{Local: name}, Value: strconv.Itoa(n)}
}

// startJUnitCheck begins a check report, written a suite at a time: a file's suite when a
// result of another file comes, or at the end. The results of one file come together (check
// reports them so); should a file's come apart, each run of them is a suite of its own.
func startJUnitCheck(w io.Writer, head *check.Report, _ Options) CheckStream {
	return &junitCheck{w: w, failOnWarn: head.FailOnWarn}
}

// junitCheck holds the suite of the file whose results are coming.
type junitCheck struct {
	w          io.Writer
	out        junitWriter
	failOnWarn bool
	begun      bool
	current    *junitSuite
}

// Result adds one result's case to its file's suite, writing the suite before when the file
// changes.
func (j *junitCheck) Result(res check.Result) error {
	if err := j.begin(); err != nil {
		return err
	}
	if j.current != nil && j.current.Name != res.File {
		if err := j.out.suite(j.current); err != nil {
			return err
		}
		j.current = nil
	}
	if j.current == nil {
		j.current = &junitSuite{Name: res.File, Errors: new(int)}
	}
	j.current.add(junitCheckCase(&res, j.failOnWarn))
	return nil
}

// begin writes the root's start tag, once.
func (j *junitCheck) begin() error {
	if j.begun {
		return nil
	}
	j.begun = true
	return j.out.begin(j.w, xml.Attr{Name: xml.Name{Local: "name"}, Value: "policyengine"})
}

// End writes the last suite and ends the document.
func (j *junitCheck) End(*check.Report) error {
	if err := j.begin(); err != nil {
		return err
	}
	if j.current != nil {
		if err := j.out.suite(j.current); err != nil {
			return err
		}
	}
	return j.out.end()
}

// junitCheckCase is a check result's test case: an activity's (or a file's that could not be
// decided), failed for a denial, an error for input that could not be decided, its warnings and
// conditions in its system-out.
func junitCheckCase(res *check.Result, failOnWarn bool) junitCase {
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
	if len(res.Warnings) > 0 && failOnWarn && c.Failure == nil && c.Error == nil {
		// With --fail-on-warn a warning fails the run, so it is the case's failure.
		c.Failure = &junitProblem{Message: Plural(len(res.Warnings), "warning") + " (--fail-on-warn)", Type: "warning", Text: strings.Join(notes, "\n")}
	}
	for _, cond := range res.Conditions {
		notes = append(notes, fmt.Sprintf("condition: %s%s at %s: requires %s [%s]", lineIn(cond.File, cond.Line), cond.Rule, pathOrRoot(cond.Path), cond.Requires, cond.Clause))
	}
	if len(notes) > 0 {
		c.SystemOut = strings.Join(notes, "\n")
	}
	return c
}

// testJUnit writes a test report, its suites sorted by file, its totals on the root.
func testJUnit(w io.Writer, r *policytest.Report, _ Options) error {
	var suites []*junitSuite
	of := map[string]*junitSuite{}
	tests, failures := 0, 0
	add := func(file string, line int, name string, d time.Duration, passed bool, failure string) {
		secs := d.Seconds()
		c := junitCase{Name: name, Classname: file, Time: &secs}
		if !passed {
			c.Failure = &junitProblem{Message: fmt.Sprintf("%s:%d", file, line), Text: failure}
			failures++
		}
		tests++
		s, ok := of[file]
		if !ok {
			s = &junitSuite{Name: file}
			of[file] = s
			suites = append(suites, s)
		}
		s.add(c)
	}
	for _, c := range r.Cases {
		add(c.File, c.Line, c.Name, c.Duration, c.Passed, strings.Join(c.Failures, "\n"))
	}
	for _, t := range r.Rego {
		add(t.File, t.Line, t.Name, t.Duration, t.Passed, t.Failure)
	}
	sort.SliceStable(suites, func(i, j int) bool { return suites[i].Name < suites[j].Name })
	var out junitWriter
	if err := out.begin(w, count("tests", tests), count("failures", failures)); err != nil {
		return err
	}
	for _, s := range suites {
		if err := out.suite(s); err != nil {
			return err
		}
	}
	return out.end()
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
