package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

type mailFile struct{ name, data string }

// replyWithFiles builds an authority's answer to a sent letter with files
// attached.
func replyWithFiles(t *testing.T, sent []byte, n int, files ...mailFile) []byte {
	t.Helper()
	to := strings.Trim(header(t, sent, "To"), "<>")
	var b strings.Builder
	fmt.Fprintf(&b, "From: FOI Officer <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: your request\r\n"+
		"Message-ID: <files-%d-%d@nhs.test>\r\nIn-Reply-To: %s\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"+
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find our response attached.\r\n",
		to, n, time.Now().UnixNano(), header(t, sent, "Message-Id"))
	for _, f := range files {
		fmt.Fprintf(&b, "--XX\r\nContent-Type: application/pdf; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", f.name, f.name, base64.StdEncoding.EncodeToString([]byte(f.data)))
	}
	b.WriteString("--XX--\r\n")
	return []byte(b.String())
}

// listFiles returns every file under dir as "folder/name" → contents.
func listFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = readFile(t, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestAttachmentsNeverOverwrite saves the files of two trusts that both
// send a "FOI response letter.pdf", into one folder, again and again: each
// request gets its own folder, no file is ever replaced (not even one the
// person changed since), the same file is not saved twice, and a whole
// campaign can be listed and saved at once.
func TestAttachmentsNeverOverwrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	e.must("send", "LXP7")
	sent := map[string][]byte{}
	for _, m := range e.mail.Received() {
		sent[subjectRef.FindStringSubmatch(header(t, m.Data, "Subject"))[1]] = m.Data
	}
	e.mail.Deliver("INBOX", replyWithFiles(t, sent["LXP7-001"], 1,
		mailFile{"FOI response letter.pdf", "%PDF Trust 01's answer"}, mailFile{"../../posts.csv", "post,band\nLXP,7\n"}), time.Now())
	e.mail.Deliver("INBOX", replyWithFiles(t, sent["LXP7-002"], 2, mailFile{"FOI response letter.pdf", "%PDF Trust 02's answer"}), time.Now())
	// Trust 02 writes again with a corrected letter of the same name.
	e.mail.Deliver("INBOX", replyWithFiles(t, sent["LXP7-002"], 3, mailFile{"FOI response letter.pdf", "%PDF Trust 02's corrected answer"}), time.Now())
	e.must("sync")

	out := filepath.Join(e.dir, "all")
	one, two := "LXP7-001 Trust 01 NHS Foundation Trust", "LXP7-002 Trust 02 NHS Foundation Trust"
	first := e.must("attachments", "LXP7-001", "--out", out)
	e.must("attachments", "LXP7-002", "--out", out)
	want := map[string]string{
		one + "/FOI response letter.pdf":     "%PDF Trust 01's answer",
		one + "/_.._posts.csv":               "post,band\nLXP,7\n",
		two + "/FOI response letter.pdf":     "%PDF Trust 02's answer",
		two + "/FOI response letter (2).pdf": "%PDF Trust 02's corrected answer",
	}
	check := func(when string) {
		t.Helper()
		got := listFiles(t, out)
		if strings.Join(sortedKeys(got), "\n") != strings.Join(sortedKeys(want), "\n") {
			t.Errorf("%s: saved\n%s\nwant\n%s", when, strings.Join(sortedKeys(got), "\n"), strings.Join(sortedKeys(want), "\n"))
		}
		for name, data := range want {
			if got[name] != data {
				t.Errorf("%s: %s holds %q, want %q", when, name, got[name], data)
			}
		}
	}
	check("after saving both")
	if p := filepath.Join(out, one, "FOI response letter.pdf"); !strings.Contains(first, "saved as "+p) {
		t.Errorf("the output does not say where the letter went (%s):\n%s", p, first)
	}

	// Again: nothing new is written, and the output says why.
	again := e.must("attachments", "LXP7-002", "--out", out)
	check("after saving again")
	if strings.Count(again, "already saved as") != 2 || !strings.Contains(again, "0 files saved, 2 already there") {
		t.Errorf("saving again:\n%s\nwant both files reported as already there", again)
	}

	// The person annotates the saved letter: saving again keeps their file
	// and puts the stored one beside it.
	mine := filepath.Join(out, one, "FOI response letter.pdf")
	if err := os.WriteFile(mine, []byte("my notes"), 0o600); err != nil {
		t.Fatal(err)
	}
	changed := e.must("attachments", "LXP7-001", "--out", out)
	want[one+"/FOI response letter.pdf"] = "my notes"
	want[one+"/FOI response letter (2).pdf"] = "%PDF Trust 01's answer"
	check("after the person changed a saved file")
	if !strings.Contains(changed, "a different file called \"FOI response letter.pdf\" is already there") {
		t.Errorf("the output does not say why the file was renamed:\n%s", changed)
	}

	// A whole campaign: each request in its own folder, none for a request
	// without files.
	camp := filepath.Join(e.dir, "campaign")
	e.must("attachments", "LXP7", "--out", camp)
	entries, err := os.ReadDir(camp)
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, d := range entries {
		folders = append(folders, d.Name())
	}
	if strings.Join(folders, "|") != one+"|"+two {
		t.Errorf("campaign folders = %q, want %q and %q", folders, one, two)
	}
	if got := readFile(t, filepath.Join(camp, two, "FOI response letter (2).pdf")); got != "%PDF Trust 02's corrected answer" {
		t.Errorf("campaign save: Trust 02's second letter holds %q", got)
	}

	// Without --out, a campaign's and a request's files are listed.
	list := e.must("attachments", "LXP7")
	for _, w := range []string{"LXP7-001  Trust 01 NHS Foundation Trust", "LXP7-002  Trust 02 NHS Foundation Trust", ".._.._posts.csv", "4 files from 2 of 3 requests"} {
		if !strings.Contains(list, w) {
			t.Errorf("foi attachments LXP7 lacks %q:\n%s", w, list)
		}
	}
	if strings.Contains(list, "LXP7-003") || strings.Contains(list, "saved") && !strings.Contains(list, "Save them with") {
		t.Errorf("foi attachments LXP7 lists a request without files or claims to have saved:\n%s", list)
	}
	if list := e.must("attachments", "lxp7-002"); strings.Count(list, "FOI response letter.pdf") != 2 || strings.Contains(list, "Trust 01") {
		t.Errorf("foi attachments lxp7-002:\n%s", list)
	}
	if list := e.must("attachments", "LXP7-003"); !strings.Contains(list, "No files have come for LXP7-003") {
		t.Errorf("foi attachments LXP7-003:\n%s", list)
	}
	if code, _, stderr := e.foi("attachments", "NOPE"); code != 1 || !strings.Contains(stderr, `no request or campaign is called "NOPE"`) {
		t.Errorf("attachments NOPE: exit %d %q", code, stderr)
	}
}
