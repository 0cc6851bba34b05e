//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// trustConfig refuses a config file found by searching that the user cannot vouch for: one
// writable by others, or owned by someone who is neither the user nor root. It says the gate's
// policy and what it reads, so it is trusted as the command line is. (Its name is escaped where
// the error is printed, as every error's.)
func trustConfig(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("%s: writable by others: not used (chmod o-w it, or --config none)", path)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s: owned by user %d, neither you nor root: not used (--config names a config to use whoever owns it; --config none for none)",
			path, st.Uid)
	}
	return nil
}
