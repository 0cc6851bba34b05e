//go:build !unix

package main

// trustConfig accepts a config file found by searching: outside Unix, who owns a file and who
// may write it are access lists this check does not read.
func trustConfig(string) error { return nil }
