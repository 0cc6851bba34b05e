// Package browsertest renders the HTML reports in a real headless browser (Chromium, driven by
// its command line): the page loads without console errors (a blocked fetch is one), its script
// runs, the picture has a node for every declaration, and a screenshot is not blank. It holds
// tests only, in a package of their own so that go test ./... stays fast where no browser is
// installed: there the tests report the browser as missing and fail only under CI=true.
package browsertest
