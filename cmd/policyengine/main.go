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
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/output"
)

// Exit codes.
const (
	exitOK     = 0
	exitDenied = 1
	exitError  = 2
)

func main() {
	tuneGC(os.Getenv)
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

	// engines, when set, prepares the engine a command's flags describe instead of newEngine:
	// tests share one engine among the runs that describe the same one.
	engines func(context.Context, *engineFlags) (*policyengine.Engine, error)
}

// violation is the error of a run whose input breaks what was asked of it (exit 1): an activity
// denied, a test case failed, a decision changed. Its message, when it has one, is printed; the
// report has said the rest.
type violation string

func (v violation) Error() string { return string(v) }

// errDenied is a violation the report has already shown in full.
const errDenied = violation("")

// errReported is the error of a run that could not decide everything (exit 2) when its report
// already names what went wrong.
var errReported = errors.New("errors reported above")

// exitCode is the exit code an error from a command means: a violation exits 1, any other error
// (a usage, input or policy error, or errReported) 2.
func exitCode(err error) int {
	var v violation
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &v):
		return exitDenied
	}
	return exitError
}

// run executes the command line and returns the exit code. Commands return their errors as they
// are; here alone are they printed and turned into an exit code.
func run(ctx context.Context, args []string, e env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errReported) && err.Error() != "" {
		// Each line escaped: an error may name a file or a value of the input.
		prefix := "policyengine: "
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(e.stderr, prefix+output.Printable(line))
			prefix = ""
		}
	}
	return exitCode(err)
}
