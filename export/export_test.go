package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
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
	root := openRoot(t, dir)
	for _, s := range steps {
		got, err := Save(root, s.name, []byte(s.data))
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

func openRoot(t *testing.T, dir string) *os.Root {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

// TestNamesFit: no name, however long its extension or wide its
// characters, panics or makes a file name over 255 bytes, even numbered
// (issue 9, finding 6).
func TestNamesFit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root := openRoot(t, dir)
	for _, name := range []string{
		"report." + strings.Repeat("x", 300),
		strings.Repeat("😀", 100),
		strings.Repeat("😀", 100) + ".pdf",
		strings.Repeat("é", 300) + "." + strings.Repeat("日", 100),
		strings.Repeat("a", 254) + "\xff.pdf",
		"\xff\xfe.txt",
	} {
		got := FileName(name)
		if len(got) > 255 || !utf8.ValidString(got) && utf8.ValidString(name) {
			t.Errorf("FileName(%.40q...) = %d bytes (valid UTF-8 %v), want at most 255", name, len(got), utf8.ValidString(got))
		}
		if strings.HasSuffix(name, ".pdf") && !strings.HasSuffix(got, ".pdf") {
			t.Errorf("FileName(%.40q...) = %q lost its extension", name, got)
		}
		for i := range 3 { // saved, then renamed twice: the numbered names fit too
			res, err := Save(root, name, []byte{byte(i)})
			if err != nil {
				t.Errorf("Save(%.40q..., %d): %v", name, i, err)
				continue
			}
			if b := filepath.Base(res.Path); len(b) > 255 {
				t.Errorf("Save(%.40q..., %d) wrote a %d-byte name", name, i, len(b))
			}
		}
	}
}

// TestSaveStaysInside: a symbolic link already in the folder, to a file
// or to a folder outside it, is never written through (issue 9, finding 13).
func TestSaveStaysInside(t *testing.T) {
	t.Parallel()
	out, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim.pdf")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(out, "letter.pdf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(out, "PSW-001 Alpha")); err != nil {
		t.Fatal(err)
	}
	root := openRoot(t, out)
	res, err := Save(root, "letter.pdf", []byte("the answer"))
	if err != nil || res.Outcome != Renamed || filepath.Base(res.Path) != "letter (2).pdf" {
		t.Errorf("Save over a symlink = %+v, %v; want Renamed letter (2).pdf", res, err)
	}
	if _, err := OpenFolder(root, "PSW-001 Alpha"); err == nil {
		t.Error("OpenFolder followed a symlink out of the folder")
	}
	sub, err := OpenFolder(root, "PSW-002 Beta")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := Save(sub, "a.txt", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("%s now holds %q", victim, b)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("files were written outside the folder: %d entries in %s", len(entries), outside)
	}
	if got := readDir(t, filepath.Join(out, "PSW-002 Beta")); got != "a.txt" {
		t.Errorf("PSW-002 Beta holds %q, want a.txt", got)
	}
}

func readDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

func TestSaveNeedsTheFolder(t *testing.T) {
	t.Parallel()
	root := openRoot(t, t.TempDir())
	if _, err := OpenFolder(root, "a/b"); err == nil {
		t.Error("OpenFolder made a folder whose parent is missing")
	}
}
