package policytest

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/encode"
)

// Formats returns the report formats Write knows.
func Formats() []string { return []string{"text", "json", "junit"} }

// Write writes the report in a format: text (for people), json, or junit (JUnit XML).
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "text":
		return r.writeText(w)
	case "json":
		return encode.JSON(w, r)
	case "junit":
		return r.writeJUnit(w)
	}
	return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
}

func (r *Report) writeText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, c := range r.Cases {
		verdict := "PASS"
		if !c.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(bw, "%s  %s:%d  %s\n", verdict, c.File, c.Line, c.Name)
		if !c.Passed {
			for _, f := range c.Failures {
				fmt.Fprintf(bw, "        %s\n", f)
			}
			if c.Err == "" {
				fmt.Fprintf(bw, "        got: %s\n", describe(c.Decision))
			}
		}
	}
	for _, t := range r.Rego {
		if !t.Passed {
			fmt.Fprintf(bw, "FAIL  %s:%d  %s\n        %s\n", t.File, t.Line, t.Name, strings.ReplaceAll(t.Failure, "\n", "\n        "))
		}
	}
	if c := r.Coverage; c != nil {
		fmt.Fprintln(bw)
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tKIND\tFIRES\tHELD BACK\tCOVERED")
		for _, rc := range c.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", rc.ID, rc.Kind, rc.Fires, rc.HeldBack, yes(rc.Covered))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(bw)
		tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CLAUSE\tSECTION\tFIRES\tHELD BACK\tCOVERED")
		for _, cc := range c.Clauses {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cc.ID, cc.Section, yes(cc.Fires), yes(cc.HeldBack), yes(cc.Covered))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		var lines []string // one entry per file: "file: 12, 14-16"
		if c.Rego != nil {
			fmt.Fprintln(bw)
			tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REGO FILE\tLINES\tCOVERED\tPERCENT")
			for _, f := range c.Rego.Files {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\n", f.File, f.Covered+f.NotCovered, f.Covered, f.Percent)
				if len(f.Uncovered) > 0 {
					lines = append(lines, f.File+": "+strings.Join(f.Uncovered, ", "))
				}
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		rules, clauses := c.Uncovered()
		fmt.Fprintf(bw, "\ncoverage: rules %.1f%%, clauses %.1f%%", c.RulesPercent, c.ClausesPercent)
		if c.Rego != nil {
			fmt.Fprintf(bw, ", Rego lines %.1f%%", c.Rego.Percent)
		}
		fmt.Fprintln(bw)
		if len(rules) > 0 {
			fmt.Fprintf(bw, "uncovered rules: %s\n", strings.Join(rules, ", "))
		}
		if len(clauses) > 0 {
			fmt.Fprintf(bw, "uncovered clauses: %s\n", strings.Join(clauses, ", "))
		}
		if len(lines) > 0 {
			fmt.Fprintf(bw, "uncovered Rego lines:\n    %s\n", strings.Join(lines, "\n    "))
		}
	}
	s := r.Summary
	fmt.Fprintf(bw, "\ncases: %d passed, %d failed; Rego tests: %d passed, %d failed\n",
		s.Cases-s.CasesFailed, s.CasesFailed, s.Rego-s.RegoFailed, s.RegoFailed)
	fmt.Fprintln(bw, r.regoRan())
	return bw.Flush()
}

// regoRan says which Rego tests ran: the built-in rules' and the policy's own.
func (r *Report) regoRan() string {
	builtin, own := 0, 0
	for _, t := range r.Rego {
		if strings.HasPrefix(t.File, compiler.BuiltinPrefix) {
			builtin++
		} else {
			own++
		}
	}
	switch {
	case builtin == 0 && own == 0:
		return "no Rego test ran (--builtin-tests runs the built-in rules' tests against the policy's document)"
	case own == 0:
		return fmt.Sprintf("Rego tests run: %d of the built-in rules, against the policy's document", builtin)
	case builtin == 0:
		return fmt.Sprintf("Rego tests run: %d of the policy's own (--builtin-tests adds the built-in rules')", own)
	}
	return fmt.Sprintf("Rego tests run: %d of the built-in rules and %d of the policy's own, against its document", builtin, own)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func (r *Report) writeJUnit(w io.Writer) error {
	out := junitSuites{}
	bySuite := map[string]*junitSuite{}
	var order []string
	add := func(suite, name string, secs float64, failure *junitFailure) {
		s, ok := bySuite[suite]
		if !ok {
			s = &junitSuite{Name: suite}
			bySuite[suite] = s
			order = append(order, suite)
		}
		s.Cases = append(s.Cases, junitCase{Name: name, Classname: suite, Time: secs, Failure: failure})
		s.Tests++
		out.Tests++
		if failure != nil {
			s.Failures++
			out.Failures++
		}
	}
	for _, c := range r.Cases {
		var f *junitFailure
		if !c.Passed {
			f = &junitFailure{Message: fmt.Sprintf("%s:%d", c.File, c.Line), Text: strings.Join(c.Failures, "\n")}
		}
		add(c.File, c.Name, c.Duration.Seconds(), f)
	}
	for _, t := range r.Rego {
		var f *junitFailure
		if !t.Passed {
			f = &junitFailure{Message: fmt.Sprintf("%s:%d", t.File, t.Line), Text: t.Failure}
		}
		add(t.File, t.Name, t.Duration.Seconds(), f)
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i] < order[j] })
	for _, name := range order {
		out.Suites = append(out.Suites, *bySuite[name])
	}
	return encode.XML(w, out)
}
