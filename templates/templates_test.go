package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func data() Data {
	return Data{
		Authority: Authority{Name: "Oxleas NHS Foundation Trust", ShortName: "Oxleas"},
		Request:   Request{Ref: "LXP7-021", Title: "Band 7 roles"},
		Campaign:  Campaign{Slug: "LXP7", Title: "Band 7 roles"},
		Requester: Requester{Name: "LXP Revolution"},
		Today:     time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
	}
}

func TestRender(t *testing.T) {
	got, err := Render("t.txt", "Dear {{.Authority.ShortName}}, on {{date .Today}} ({{weekday .Today}}) re {{.Request.Ref}}", data())
	if want := "Dear Oxleas, on 2 March 2026 (Monday) re LXP7-021"; err != nil || got != want {
		t.Errorf("Render = %q, %v, want %q", got, err, want)
	}
}

func TestUnknownFieldNamesTemplateLineAndField(t *testing.T) {
	_, err := Render("stage2.txt", "Dear {{.Authority.Name}},\n\n{{.Authority.Nmae}}\n", data())
	if err == nil {
		t.Fatal("Render succeeded with an unknown field")
	}
	for _, want := range []string{"stage2.txt", "line 3", `"Nmae"`, "Name, ShortName"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := Render("bad.txt", "{{.Request.Ref", data()); err == nil || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("syntax error = %v, want one naming bad.txt", err)
	}
}

func TestUserFolderOverridesDefaults(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "request.txt"), []byte("Mine: {{.Request.Ref}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := New(dir).Render("request", data())
	if err != nil || got != "Mine: LXP7-021" {
		t.Errorf("override = %q, %v", got, err)
	}
	got, err = New("").Render("request", data())
	if err != nil || !strings.Contains(got, "Dear Oxleas,") {
		t.Errorf("built-in = %q, %v", got, err)
	}
	if _, _, err := New(dir).Source("../etc/passwd"); err == nil {
		t.Error("a path was accepted as a template name")
	}
}
