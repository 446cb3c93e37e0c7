package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// foiOnTerminal runs a command line as foiAsUser does, but draws progress
// bars as it would on a terminal.
func (e *env) foiOnTerminal(args ...string) (int, string, string) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, terminal: true}
	code := 0
	if err := a.dispatch(context.Background(), append([]string{"--config", e.cfg, "--really-send-at-fake-time"}, args...)); err != nil {
		code = 1
		fmt.Fprintln(&errOut, err)
	}
	return code, out.String(), errOut.String()
}

// Issue 14, item 13: sync over hundreds of messages, send, backups and
// exports show a progress bar on a terminal, and print none when piped.
func TestProgressOnTerminalOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	for i := range 150 {
		raw := fmt.Sprintf("From: Someone <news%d@elsewhere.test>\r\nTo: %s\r\nSubject: Newsletter %d\r\nDate: %s\r\nMessage-ID: <n%d@elsewhere.test>\r\n\r\nNot about any request.\r\n",
			i, e.mail.User, i, at.Format(time.RFC1123Z), i)
		if _, err := e.mail.Deliver("INBOX", []byte(raw), at); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := e.foiOnTerminal("sync")
	if code != 0 {
		t.Fatalf("sync: %s", stderr)
	}
	if !strings.Contains(out, "\r[") || !strings.Contains(out, "] 150/150 messages read and filed") {
		t.Errorf("sync of 150 on a terminal shows no bar:\n%q", out)
	}
	code, out, stderr = e.foiOnTerminal("send", "LXP7")
	if code != 0 || !strings.Contains(out, "] 3/3 letters: 3 sent, 0 failed") {
		t.Errorf("send on a terminal: exit %d, %q, %s", code, out, stderr)
	}
	code, out, stderr = e.foiOnTerminal("backup", filepath.Join(e.dir, "b1.tar.gz"))
	if code != 0 || !strings.Contains(out, "files archived") || !strings.Contains(out, " \nBacked up ") {
		t.Errorf("backup on a terminal: exit %d, %q, %s", code, out, stderr)
	}

	code, out, stderr = e.foiOnTerminal("export", "LXP7", "--format", "zip", "--out", filepath.Join(e.dir, "files.zip"))
	if code != 0 || !strings.Contains(out, "] 2/2 files in the zip") {
		t.Errorf("export zip on a terminal: exit %d, %q, %s", code, out, stderr)
	}

	// Piped (the output is not a terminal): the summary alone.
	for i := range 120 {
		raw := fmt.Sprintf("From: Someone <more%d@elsewhere.test>\r\nTo: %s\r\nSubject: More %d\r\nDate: %s\r\nMessage-ID: <m%d@elsewhere.test>\r\n\r\nNot ours.\r\n",
			i, e.mail.User, i, at.Format(time.RFC1123Z), i)
		e.mail.Deliver("INBOX", []byte(raw), at)
	}
	for _, args := range [][]string{{"sync"}, {"backup", filepath.Join(e.dir, "b2.tar.gz")}, {"export", "LXP7", "--format", "zip", "--out", filepath.Join(e.dir, "files2.zip")}} {
		_, out, _ := e.foiAsUser(args...)
		if strings.ContainsAny(out, "\r") || strings.Contains(out, "[#") {
			t.Errorf("foi %s piped draws a bar:\n%q", args[0], out)
		}
	}
}
