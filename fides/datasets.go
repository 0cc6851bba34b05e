package fides

import (
	"path/filepath"
	"strconv"
	"strings"
)

// The datasets a declaration references: finding them, and walking their collections and fields.

// datasetUses reads the data uses a referenced dataset, collection or field carries (data_uses,
// and data_purposes, its name in fideslang 3.1): each the policy maps to its purposes is one more
// purpose of the declaration, judged as its own are; any other is carried with its line, not
// judged.
func (b *builder) datasetUses(field string, list any, at place) []term {
	items, _ := list.([]any)
	var out []term
	for i, x := range items {
		where := at.sub("/" + strconv.Itoa(i))
		key, _ := x.(string)
		if !isKey(key) {
			continue // the model has said so
		}
		if up, renamed := upgrade(kindUse, key, b.p.known(kindUse)); renamed {
			key = up
		}
		r := b.p.resolve(kindUse, key)
		src := where.source()
		src.Key, src.Name = key, b.p.name(kindUse, key)
		if !r.Mapped || r.Entry.NotInPolicy || r.Entry.NotPersonalData || len(r.Entry.To) == 0 {
			b.d.facts = append(b.d.facts, Fact{Field: "dataset " + field, Value: key, At: src})
			continue
		}
		for _, t := range r.Entry.To {
			out = append(out, term{value: t, at: src})
		}
	}
	return out
}

type ref struct {
	key string
	at  place
}

func references(v any, at place) []ref {
	list, _ := v.([]any)
	var out []ref
	for i, x := range list {
		if s, ok := textOf(x, true); ok && s != "" { // a system reads a number as text
			out = append(out, ref{s, at.sub("/" + strconv.Itoa(i))})
		}
	}
	return out
}

// dataset finds a referenced dataset: "key", or "key.collection" for one collection of it. When
// files of several projects define the key, the one nearest the system's file is taken: in its
// directory, else in the directory above, else the first read.
func (p *project) dataset(key, from string) (resource, string, bool) {
	coll := ""
	list, ok := p.datasets[key]
	if !ok {
		if i := strings.IndexByte(key, '.'); i > 0 {
			list, ok = p.datasets[key[:i]]
			coll = key[i+1:]
		}
	}
	if !ok {
		return resource{}, "", false
	}
	best, score := list[0], -1
	for _, ds := range list {
		if s := nearness(filepath.Dir(from), filepath.Dir(ds.at.file)); s > score {
			best, score = ds, s
		}
	}
	return best, coll, true
}

// nearness scores how near directory b is to a: the number of leading path elements they share.
func nearness(a, b string) int {
	as := strings.Split(filepath.ToSlash(filepath.Clean(a)), "/")
	bs := strings.Split(filepath.ToSlash(filepath.Clean(b)), "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	return n
}

// datasetVisitor is told of every list of taxonomy keys of a dataset (data_categories,
// data_uses, data_purposes, data_subjects), and of every key of it fideslang does not define.
type datasetVisitor struct {
	labels    func(field string, list any, at place)
	countries func(list any, at place) // a 1.x third_country_transfers
	unknown   func(m *model, key string, at place)
}

// visit tells the visitor of one part of a dataset: its unknown keys and its labels.
func (v datasetVisitor) visit(m *model, obj map[string]any, at place, nested string) {
	unknownKeys(m, obj, at, v.unknown, nested)
	for _, f := range []string{"data_categories", "data_uses", "data_purposes", "data_subjects"} {
		if list, ok := obj[f]; ok && list != nil {
			v.labels(f, list, at.sub("/"+f))
		}
	}
}

// walkDataset visits every part of a dataset: itself, its collections (only the one named, when
// coll is set) and their fields, nested.
func walkDataset(ds resource, coll string, v datasetVisitor) {
	v.visit(datasetModel, ds.value, ds.at, "collections")
	if t, ok := ds.value["third_country_transfers"]; ok && t != nil {
		v.countries(t, ds.at.sub("/third_country_transfers"))
	}
	colls, _ := ds.value["collections"].([]any)
	for i, c := range colls {
		cm, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if name, _ := cm["name"].(string); coll != "" && name != coll {
			continue
		}
		cat := ds.at.sub("/collections/" + strconv.Itoa(i))
		v.visit(collectionModel, cm, cat, "fields")
		walkFields(cm["fields"], cat.sub("/fields"), v, 0)
	}
}

func walkFields(f any, at place, v datasetVisitor, depth int) {
	list, _ := f.([]any)
	if depth > 16 {
		return
	}
	for i, x := range list {
		fm, ok := x.(map[string]any)
		if !ok {
			continue
		}
		fat := at.sub("/" + strconv.Itoa(i))
		v.visit(fieldModel, fm, fat, "fields")
		walkFields(fm["fields"], fat.sub("/fields"), v, depth+1)
	}
}
