// Package buildinfo says which build of policyengine is running: the module version and the
// version-control revision it was built from, as the Go toolchain records them.
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Module is the module path of policyengine.
const Module = "github.com/confect/policyengine"

// Info is what the build records.
type Info struct {
	// Version is the module version ("v1.2.0", or "(devel)" for a build from a checkout).
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from, when known.
	Revision string `json:"revision,omitempty"`
	// Time is the commit's time, RFC 3339, when known.
	Time string `json:"time,omitempty"`
	// Modified says the working tree had changes not committed.
	Modified bool `json:"modified,omitempty"`
	// Go is the toolchain's version.
	Go string `json:"go"`
}

// Read returns the build information of policyengine in the running binary: of the main module
// when it is policyengine (the CLI), else of policyengine as a dependency.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "(unknown)"}
	}
	info := Info{Version: "(devel)", Go: bi.GoVersion}
	switch {
	case bi.Main.Path == Module:
		info.Version = orDevel(bi.Main.Version)
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.time":
				info.Time = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	default:
		for _, d := range bi.Deps {
			if d.Path == Module {
				if d.Replace != nil {
					d = d.Replace
				}
				info.Version = orDevel(d.Version)
			}
		}
	}
	return info
}

func orDevel(v string) string {
	if v == "" {
		return "(devel)"
	}
	return v
}

// String is the version in one line: "v1.2.0", or "(devel) abc123def456 (modified)".
func (i Info) String() string {
	parts := []string{i.Version}
	if i.Revision != "" && !strings.Contains(i.Version, shorten(i.Revision)) {
		parts = append(parts, shorten(i.Revision))
	}
	if i.Modified {
		parts = append(parts, "(modified)")
	}
	return strings.Join(parts, " ")
}

func shorten(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
