package output

import (
	"bufio"
	"fmt"
	"io"
)

// versionText writes the version: the build in one line, then the module, the commit (when
// known), the Go version and the policy revision.
func versionText(w io.Writer, v VersionInfo, _ Options) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "policyengine %s\n", v.Info)
	fmt.Fprintf(bw, "  module    %s %s\n", v.Module, v.Version)
	if v.Revision != "" {
		fmt.Fprintf(bw, "  commit    %s %s\n", v.Revision, v.Time)
	}
	fmt.Fprintf(bw, "  go        %s\n", v.Go)
	fmt.Fprintf(bw, "  policy    %s\n", v.PolicyRevision)
	return bw.Flush()
}
