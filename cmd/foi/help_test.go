package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// runPlain runs a command line that needs no configuration or mail server.
func runPlain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// commandFlagNames runs `foi NAME --help` and returns the command's own
// flags as its flag set defines them.
func commandFlagNames(t *testing.T, name string) map[string]bool {
	t.Helper()
	a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	c, ok := lookup(name)
	if !ok {
		t.Fatalf("no command %q", name)
	}
	a.command = name
	_ = c.run(a, context.Background(), []string{"--help"})
	got := map[string]bool{}
	for _, f := range commandFlags(a.cmdFlags) {
		got[f.Name] = true
	}
	return got
}

// Issue 14, finding 1: every command has its own usage with an example,
// the same from `foi help CMD` and `foi CMD --help`, and not the general help.
func TestEveryCommandHasItsOwnHelp(t *testing.T) {
	t.Parallel()
	_, general, _ := runPlain(t, "help")
	for _, c := range commands() {
		code, out, errOut := runPlain(t, "help", c.name)
		if code != 0 {
			t.Errorf("foi help %s: exit %d, stderr %q", c.name, code, errOut)
			continue
		}
		if !strings.HasPrefix(out, "Usage: foi "+c.name) {
			t.Errorf("foi help %s starts %q, want \"Usage: foi %s\"", c.name, firstLine(out), c.name)
		}
		if !strings.Contains(out, "Example") || !strings.Contains(out, "\n  foi ") {
			t.Errorf("foi help %s has no example:\n%s", c.name, out)
		}
		if out == general {
			t.Errorf("foi help %s prints the general help", c.name)
		}
		if c.summary == "" || !strings.Contains(general, c.summary) {
			t.Errorf("foi help does not list %s with its summary %q", c.name, c.summary)
		}
		if c.name == "help" {
			continue
		}
		code, out2, _ := runPlain(t, c.name, "--help")
		if code != 0 || out2 != out {
			t.Errorf("foi %s --help (exit %d) differs from foi help %s:\n%s\nwant:\n%s", c.name, code, c.name, out2, out)
		}
	}
	if code, _, errOut := runPlain(t, "help", "templates"); code != 2 || !strings.Contains(errOut, `no command "templates"`) {
		t.Errorf("foi help templates: exit %d, %q; want 2 naming the command", code, errOut)
	}
}

// The reply help once sent users to `foi templates`, which never existed.
func TestReplyHelpNamesRealTemplates(t *testing.T) {
	t.Parallel()
	_, out, _ := runPlain(t, "help", "reply")
	if strings.Contains(out, "foi templates") {
		t.Errorf("foi help reply names foi templates:\n%s", out)
	}
	entries, err := os.ReadDir("../../templates/letters")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".txt")
		if name == "request" {
			continue // the first letter, not a reply
		}
		if !strings.Contains(out, name) {
			t.Errorf("foi help reply does not name the template %s", name)
		}
	}
}

var (
	// `foi WORD` where foi stands alone or ends a path (./foi, ./cmd/foi).
	commandRef = regexp.MustCompile(`(?:^|[\s/(])foi\s+([a-z][a-z-]+)`)
	flagRef    = regexp.MustCompile(`(?:^|[\s\[(|])--([a-z][a-z-]+)`)
	fence      = regexp.MustCompile("(?ms)^\\s*```[a-z]*\n(.*?)^\\s*```")
	inlineCode = regexp.MustCompile("`([^`]+)`")
)

// snippets are the code in a Markdown text: the lines of fenced blocks
// (comments cut, line continuations joined) and inline code that starts
// with foi.
func snippets(md string) []string {
	var out []string
	for _, m := range fence.FindAllStringSubmatch(md, -1) {
		block := strings.ReplaceAll(m[1], "\\\n", " ")
		for _, line := range strings.Split(block, "\n") {
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			out = append(out, line)
		}
	}
	rest := fence.ReplaceAllString(md, "")
	for _, m := range inlineCode.FindAllStringSubmatch(rest, -1) {
		// Inline code that is a command line; other inline code may quote
		// what foi prints ("foi does no OCR").
		if c := strings.TrimPrefix(m[1], "./"); strings.HasPrefix(c, "foi ") {
			out = append(out, m[1])
		}
	}
	return out
}

// checkMentions checks that every `foi CMD` in text is a command and every
// --flag after it is one of CMD's flags or a global flag.
func checkMentions(t errorer, where, text string, flagsOf func(string) map[string]bool) {
	locs := commandRef.FindAllStringSubmatchIndex(text, -1)
	for i, l := range locs {
		name := text[l[2]:l[3]]
		if before := strings.TrimRight(text[:l[2]], " \t"); strings.HasSuffix(before, "-u foi") || strings.HasSuffix(before, "--user foi") {
			continue // a system user named foi (sudo -u foi sh -c ...)
		}
		if _, ok := lookup(name); !ok {
			t.Errorf("%s names `foi %s`, which is not a command", where, name)
			continue
		}
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		seg := text[l[1]:end]
		if j := strings.IndexAny(seg, "|&;"); j >= 0 && name != "campaign" && name != "authorities" && name != "drafts" && name != "holidays" {
			seg = seg[:j] // a pipe or the next command (but | separates subcommands)
		}
		for _, f := range flagRef.FindAllStringSubmatch(seg, -1) {
			if !globalFlags[f[1]] && !flagsOf(name)[f[1]] && f[1] != "help" {
				t.Errorf("%s names `foi %s ... --%s`, which %s does not have", where, name, f[1], name)
			}
		}
	}
}

// Issue 14 acceptance: every command and flag named in the README and in
// foi's own help exists.
func TestREADMEAndHelpNameRealCommandsAndFlags(t *testing.T) {
	t.Parallel()
	cache := map[string]map[string]bool{}
	flagsOf := func(name string) map[string]bool {
		if cache[name] == nil {
			cache[name] = commandFlagNames(t, name)
		}
		return cache[name]
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range snippets(string(readme)) {
		n += len(commandRef.FindAllString(s, -1))
		checkMentions(t, "README.md", s, flagsOf)
	}
	if n < 20 {
		t.Errorf("found only %d `foi CMD` mentions in README.md: is the parser broken?", n)
	}
	_, general, _ := runPlain(t, "help")
	checkMentions(t, "foi help", general, flagsOf)
	for _, c := range commands() {
		// The usage text: its synopsis names the command without "foi".
		checkMentions(t, "foi help "+c.name, "foi "+c.usage, flagsOf)
	}
}

// The checker itself catches what it is for.
func TestMentionCheckerCatchesMistakes(t *testing.T) {
	t.Parallel()
	flagsOf := func(name string) map[string]bool { return commandFlagNames(t, name) }
	for _, bad := range []string{"foi templates", "./foi send LXP7 --dry-runn", "foi reply X --template a --editor"} {
		var rec recorder
		checkMentions(&rec, "x", bad, flagsOf)
		if rec.n == 0 {
			t.Errorf("checker accepted %q", bad)
		}
	}
	for _, good := range []string{"foi send LXP7 --dry-run", "go run ./cmd/foi demo --headless", "foi --json status", "sudo -u foi sh -c 'umask 077'"} {
		var rec recorder
		checkMentions(&rec, "x", good, flagsOf)
		if rec.n != 0 {
			t.Errorf("checker rejected %q", good)
		}
	}
}

// errorer is what checkMentions reports to: a *testing.T, or a recorder.
type errorer interface{ Errorf(string, ...any) }

type recorder struct{ n int }

func (r *recorder) Errorf(string, ...any) { r.n++ }

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runPlain(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "foi ") {
		t.Errorf("foi --version: exit %d, %q", code, out)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "foi", Version: "v1.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct {
		v    string
		bi   *debug.BuildInfo
		want string
	}{
		{"", bi, "foi v1.2.0 (commit 0123456789ab, 2026-12-01T10:00:00Z, with uncommitted changes, go1.26.8)"},
		{"v1.3.0", bi, "foi v1.3.0 (commit 0123456789ab, 2026-12-01T10:00:00Z, with uncommitted changes, go1.26.8)"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "foi devel (built without version control information, go1.26.8)"},
		{"", nil, "foi devel (no build information)"},
	} {
		if got := describeBuild(tc.v, tc.bi); got != tc.want {
			t.Errorf("describeBuild(%q) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// A mistyped command is answered with the one it was probably meant to be.
func TestUnknownCommandSuggests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ arg, want string }{
		{"stauts", "foi: unknown command \"stauts\": did you mean `foi status`?\n"},
		{"campain", "foi: unknown command \"campain\": did you mean `foi campaign`?\n"},
		{"frobnicate", "foi: unknown command \"frobnicate\"; `foi help` lists them\n"},
	} {
		if code, _, stderr := runPlain(t, tc.arg); code != 2 || stderr != tc.want {
			t.Errorf("foi %s: exit %d, %q; want 2, %q", tc.arg, code, stderr, tc.want)
		}
	}
}
