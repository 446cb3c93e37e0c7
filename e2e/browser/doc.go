// Package browser holds the dashboard's end-to-end tests in a real headless
// Chromium (the Debian package chromium, at /usr/bin/chromium), driven from
// Go with chromedp: the tests build foi, run `foi demo --headless --stay`
// and work on the dashboard it serves over the demo's data, as a volunteer
// would, while a recorder of the browser's network events checks that no
// page ever loads anything from another origin. A missing Chromium fails
// the tests; .ci/run installs it.
//
// Screenshots of every page the tests look at go to $FOI_SCREENSHOTS when
// it is set (a folder that is not committed), else to the test's
// temporary folder.
//
// The package has no code of its own outside its tests.
package browser
