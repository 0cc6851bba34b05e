package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/policy"
)

// typical is the benchmarks' typical activity: 3 recipients, 2 purposes, 6 categories.
const typical = `{"id": "checkout", "data_subjects": ["customer"],
 "data_categories": ["name", "email", "postal_address", "phone", "login_id", "username"],
 "sources": ["data_subject"], "purposes": ["purchase.orders", "purchase.accounts"], "legal_basis": "contract",
 "retention": {"period": "P5Y", "from": "end_of_contract"},
 "recipients": [{"name": "Confect Logistics AB", "type": "group_company", "country": "SE"},
  {"name": "PayFlow Inc.", "type": "subprocessor", "country": "US", "dpa": true, "transfer_safeguard": "scc"},
  {"name": "Mail Delivery EU", "type": "subprocessor", "country": "IE", "dpa": true}]}`

type contender struct {
	name   string
	n      int
	decide func() error
}

type result struct {
	name          string
	p50, p99, avg time.Duration
	allocs        float64
}

func measure(c contender) (result, error) {
	for i := 0; i < c.n/10+1; i++ { // warm up
		if err := c.decide(); err != nil {
			return result{}, fmt.Errorf("%s: %w", c.name, err)
		}
	}
	runtime.GC()
	times := make([]time.Duration, c.n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := range times {
		t := time.Now()
		if err := c.decide(); err != nil {
			return result{}, fmt.Errorf("%s: %w", c.name, err)
		}
		times[i] = time.Since(t)
	}
	total := time.Since(start)
	runtime.ReadMemStats(&after)
	slices.Sort(times)
	return result{
		name:   c.name,
		p50:    times[len(times)/2],
		p99:    times[len(times)*99/100],
		avg:    total / time.Duration(c.n),
		allocs: float64(after.Mallocs-before.Mallocs) / float64(c.n),
	}, nil
}

func compare(ctx context.Context, n int) error {
	doc := []byte(typical)
	p := policy.Default()
	engine, err := policyengine.New(ctx, policyengine.WithClock(func(context.Context) time.Time { return now }))
	if err != nil {
		return err
	}
	cached, err := policyengine.New(ctx, policyengine.WithClock(func(context.Context) time.Time { return now }), policyengine.WithDecisionCache(1024))
	if err != nil {
		return err
	}
	person, err := policyengine.New(ctx) // the real clock: a service's
	if err != nil {
		return err
	}
	newsletter, err := person.DeclareJSON(ctx, []byte(gentree.NewsletterDeclaration))
	if err != nil {
		return err
	}
	states := gentree.PersonStates(n, time.Now())
	mixed, full, err := mixedPeople(p, n)
	if err != nil {
		return err
	}
	next := 0
	sources, err := compiler.Builtins()
	if err != nil {
		return err
	}
	data := p.Data()
	// OPA prepared once, the input handed over the plain way: a map from encoding/json. The
	// decision's structural checks run in Rego (no schema in this data: json.match_schema does not).
	plainData := maps.Clone(data)
	plainOpts := []func(*rego.Rego){rego.Query(compiler.Entrypoint), rego.Store(inmem.NewFromObject(plainData))}
	naiveModules := []func(*rego.Rego){}
	for name, src := range sources {
		naiveModules = append(naiveModules, rego.Module(name, string(src)))
	}
	plain, err := rego.New(append(plainOpts, naiveModules...)...).PrepareForEval(ctx)
	if err != nil {
		return err
	}
	results := []result{}
	for _, c := range []contender{
		{"policyengine EvaluateJSON", n, func() error {
			d, err := engine.EvaluateJSON(ctx, doc)
			return allowed(d.Allow, err)
		}},
		{"policyengine EvaluateJSON, decision cache on", n, func() error {
			d, err := cached.EvaluateJSON(ctx, doc)
			return allowed(d.Allow, err)
		}},
		{"OPA naive: rego.New(...).Eval per call", max(n/100, 20), func() error {
			var input any
			if err := json.Unmarshal(doc, &input); err != nil {
				return err
			}
			opts := append([]func(*rego.Rego){rego.Query(compiler.Entrypoint), rego.Store(inmem.NewFromObject(plainData)), rego.Input(input)}, naiveModules...)
			rs, err := rego.New(opts...).Eval(ctx)
			return allowedRS(rs, err)
		}},
		{"OPA prepared, EvalInput of a decoded map", n, func() error {
			var input any
			if err := json.Unmarshal(doc, &input); err != nil {
				return err
			}
			rs, err := plain.Eval(ctx, rego.EvalInput(input), rego.EvalTime(now))
			return allowedRS(rs, err)
		}},
		{"policyengine DecideJSON: newsletter, a new person each call, real clock", n, func() error {
			d, err := newsletter.DecideJSON(ctx, states[next%len(states)])
			next++
			return allowed(d.Allow, err)
		}},
		{"policyengine DecideJSON: newsletter, mixed people, real clock", n, func() error {
			_, err := newsletter.DecideJSON(ctx, mixed[next%len(mixed)])
			next++
			return err
		}},
		{"policyengine EvaluateJSON: newsletter + mixed people, declaration prepared", n, func() error {
			_, err := person.EvaluateJSON(ctx, full[next%len(full)])
			next++
			return err
		}},
		{"policyengine EvaluateJSON: newsletter + mixed people, never seen", n, func() error {
			_, err := engine.EvaluateJSON(ctx, full[next%len(full)])
			next++
			return err
		}},
	} {
		r, err := measure(c)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	printComparison(results)
	return nil
}

// mixedPeople are varied people as a service sees them (the generator the differential tests
// use), as JSON, and the full activities of the newsletter with each.
func mixedPeople(p *policy.Policy, n int) (mixed, full [][]byte, err error) {
	g := gentree.New(1, p.Document, time.Now())
	var declared map[string]any
	if err := json.Unmarshal([]byte(gentree.NewsletterDeclaration), &declared); err != nil {
		return nil, nil, err
	}
	mixed = make([][]byte, min(n, 1<<14))
	full = make([][]byte, len(mixed))
	for i := range mixed {
		person := g.Person()
		activity := maps.Clone(declared)
		maps.Copy(activity, person)
		if mixed[i], err = json.Marshal(person); err != nil {
			return nil, nil, err
		}
		if full[i], err = json.Marshal(activity); err != nil {
			return nil, nil, err
		}
	}
	return mixed, full, nil
}

// printComparison prints the contenders' figures beside policyengine EvaluateJSON's, and how
// much faster than naive OPA it is.
func printComparison(results []result) {
	var naive, ours result
	for _, r := range results {
		switch {
		case strings.HasPrefix(r.name, "OPA naive"):
			naive = r
		case r.name == "policyengine EvaluateJSON":
			ours = r
		}
	}
	fmt.Printf("One decision on the typical activity (3 recipients, 2 purposes, 6 categories), from JSON bytes.\nMachine: %s.\n\n", machine())
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "contender\tp50\tp99\tmean\tallocs/decision\tp50 vs policyengine\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f\t%.2fx\t\n", r.name, us(r.p50), us(r.p99), us(r.avg), r.allocs, float64(r.p50)/float64(ours.p50))
	}
	_ = tw.Flush()
	fmt.Printf("\npolicyengine EvaluateJSON is %.0fx faster than naive OPA (p50).\n", float64(naive.p50)/float64(ours.p50))
	for _, r := range results {
		if strings.HasSuffix(r.name, "never seen") {
			fmt.Printf("%s: %.0fx faster than naive OPA (p50).\n", r.name, float64(naive.p50)/float64(r.p50))
		}
	}
}

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }

func allowed(ok bool, err error) error {
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the typical activity was denied")
	}
	return nil
}

func allowedRS(rs rego.ResultSet, err error) error {
	if err != nil {
		return err
	}
	if len(rs) != 1 {
		return fmt.Errorf("no decision")
	}
	d, _ := rs[0].Expressions[0].Value.(map[string]any)
	ok, _ := d["allow"].(bool)
	return allowed(ok, nil)
}
