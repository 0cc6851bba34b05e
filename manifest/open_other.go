//go:build !unix

package manifest

import "os"

// openRegular opens a file for reading; the caller checks what it is.
func openRegular(path string) (*os.File, error) {
	return os.Open(path)
}
