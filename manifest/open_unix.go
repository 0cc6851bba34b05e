//go:build unix

package manifest

import (
	"os"
	"syscall"
)

// openRegular opens a file for reading without blocking on a FIFO: the caller checks what it is.
func openRegular(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
