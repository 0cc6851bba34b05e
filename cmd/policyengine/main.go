// Command policyengine decides data-flow manifests against a privacy policy written as code.
//
//	policyengine check [flags] PATH...
//
// Exit codes: 0 every activity allowed, 1 at least one denied, 2 a usage, input or policy error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Exit codes.
const (
	exitOK     = 0
	exitDenied = 1
	exitError  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is what a command may touch of the outside world, so tests can give their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// exit is an error that carries the exit code; a nil err exits quietly.
type exit struct {
	code int
	err  error
}

func (e *exit) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exit) Unwrap() error { return e.err }

// usageError marks a mistake in how the command was called (exit 2).
func usageError(format string, a ...any) error {
	return &exit{code: exitError, err: fmt.Errorf(format, a...)}
}

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var x *exit
	if errors.As(err, &x) {
		if x.err != nil {
			fmt.Fprintln(e.stderr, "policyengine:", x.err)
		}
		return x.code
	}
	// Errors cobra raises itself (unknown command or flag) are usage errors.
	fmt.Fprintln(e.stderr, "policyengine:", err)
	return exitError
}
