//go:build race

package policyengine_test

// raceDetector says the tests run under the race detector, which makes each evaluation about ten
// times dearer: the tests that decide thousands of people decide fewer there (CI decides them in
// full without it).
const raceDetector = true
