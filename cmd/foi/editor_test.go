package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Issue 14, finding 7: $VISUAL, then $EDITOR, then nano if installed, and
// otherwise how to set one; never vi, which a newcomer cannot leave.
func TestChooseEditor(t *testing.T) {
	t.Parallel()
	nano := func(string) (string, error) { return "/usr/bin/nano", nil }
	none := func(string) (string, error) { return "", errors.New("not found") }
	for _, tc := range []struct {
		env  map[string]string
		look func(string) (string, error)
		want string
	}{
		{map[string]string{"VISUAL": "code -w", "EDITOR": "vim"}, nano, "code -w"},
		{map[string]string{"EDITOR": "vim"}, nano, "vim"},
		{map[string]string{}, nano, "/usr/bin/nano"},
		{map[string]string{}, none, ""},
	} {
		got, err := chooseEditor(func(k string) string { return tc.env[k] }, tc.look)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("chooseEditor(%v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "export EDITOR=nano") {
			t.Errorf("no editor: %v, want how to set one", err)
		}
	}
}

// reply --edit opens $VISUAL for real, and says how to set an editor when
// there is none. (Not parallel: it sets the environment.)
func TestReplyEditUsesVisual(t *testing.T) {
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 1)
	e.must("send", "LXP7")
	script := e.writeFile("ed.sh", "#!/bin/sh\nsed -i 's/^Dear /Dear dear /' \"$1\"\n")
	os.Chmod(script, 0o755)
	t.Setenv("VISUAL", script)
	t.Setenv("EDITOR", "false")
	out := e.must("reply", "LXP7-001", "--template", "clarification", "--edit", "--draft")
	id := regexp.MustCompile(`Draft (\d+)`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("reply: %q", out)
	}
	if show := e.must("drafts", "show", id[1]); !strings.Contains(show, "Dear dear ") {
		t.Errorf("the draft does not have the edit made in $VISUAL:\n%s", show)
	}

	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", "")
	t.Setenv("PATH", filepath.Join(e.dir, "no-editors-here"))
	code, _, stderr := e.foi("reply", "LXP7-001", "--template", "clarification", "--edit", "--draft")
	if code != 1 || !strings.Contains(stderr, "no editor to open the letter in: set one for this shell with `export EDITOR=nano`") {
		t.Errorf("reply --edit with no editor: exit %d, %q", code, stderr)
	}
}
