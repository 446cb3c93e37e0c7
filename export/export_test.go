package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300)
	for _, tc := range []struct{ in, want string }{
		{"FOI response letter.pdf", "FOI response letter.pdf"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{`C:\Users\me\report.docx`, "C__Users_me_report.docx"},
		{".htaccess", "htaccess"},
		{"  spaced.txt  ", "spaced.txt"},
		{"trailing dot.", "trailing dot"},
		{"a\x00b\nc.txt", "a_b_c.txt"},
		{`what?<now>|"x".csv`, "what__now___x_.csv"},
		{"", "attachment"},
		{"...", "attachment"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"COM1.pdf", "_COM1.pdf"},
		{"COMMENTS.pdf", "COMMENTS.pdf"},
		{long + ".pdf", strings.Repeat("x", maxName-4) + ".pdf"},
		{strings.Repeat("日", 200) + ".pdf", strings.Repeat("日", (maxBytes-4)/3) + ".pdf"}, // three bytes each: the byte limit binds
		{long, strings.Repeat("x", maxName)},
	} {
		if got := FileName(tc.in); got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFolderName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ ref, authority, want string }{
		{"PSW-003", "Alpha NHS Trust", "PSW-003 Alpha NHS Trust"},
		{"PSW-004", "Beta/Gamma Trust", "PSW-004 Beta_Gamma Trust"},
		{"PSW-005", "St. Mary's Trust.", "PSW-005 St. Mary's Trust"},
		{"PSW-006", "", "PSW-006"},
		{"", "", "request"},
		{"PSW-007", strings.Repeat("Long ", 40), strings.TrimRight(("PSW-007 " + strings.Repeat("Long ", 40))[:maxName], " ")},
	} {
		if got := FolderName(tc.ref, tc.authority); got != tc.want {
			t.Errorf("FolderName(%q, %q) = %q, want %q", tc.ref, tc.authority, got, tc.want)
		}
	}
}

// TestSaveNeverOverwrites saves a sequence of files into one folder and
// checks, after each, what was done and that every earlier file is intact.
func TestSaveNeverOverwrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "in the way.txt"), 0o700); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, data string
		want       Outcome
		wantFile   string
	}{
		{"letter.pdf", "Alpha", Saved, "letter.pdf"},
		{"letter.pdf", "Alpha", Identical, "letter.pdf"},         // the same file again: nothing written
		{"letter.pdf", "Beta", Renamed, "letter (2).pdf"},        // another file of that name
		{"letter.pdf", "Gamma", Renamed, "letter (3).pdf"},       // and another
		{"letter.pdf", "Beta", Identical, "letter (2).pdf"},      // found under its numbered name
		{"../letter.pdf", "Delta", Saved, "_letter.pdf"},         // never a path
		{"in the way.txt", "Eps", Renamed, "in the way (2).txt"}, // a folder has the name
		{"README", "x", Saved, "README"},
		{"README", "y", Renamed, "README (2)"},
	}
	want := map[string]string{}
	for _, s := range steps {
		got, err := Save(dir, s.name, []byte(s.data))
		if err != nil {
			t.Fatalf("Save(%q, %q): %v", s.name, s.data, err)
		}
		if got.Outcome != s.want || got.Path != filepath.Join(dir, s.wantFile) {
			t.Errorf("Save(%q, %q) = %s %s, want %s %s", s.name, s.data, got.Outcome, filepath.Base(got.Path), s.want, s.wantFile)
		}
		if s.want != Identical {
			want[s.wantFile] = s.data
		}
		for name, data := range want {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != data {
				t.Errorf("after Save(%q, %q): %s holds %q (%v), want %q", s.name, s.data, name, b, err, data)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want)+1 { // the files and the folder in the way; no temporary files left
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %q, want %d files and the folder", names, len(want))
	}
}

func TestSaveNeedsTheFolder(t *testing.T) {
	t.Parallel()
	if _, err := Save(filepath.Join(t.TempDir(), "missing"), "a.txt", []byte("a")); err == nil {
		t.Error("Save into a missing folder succeeded")
	}
}
