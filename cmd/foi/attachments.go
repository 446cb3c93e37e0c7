package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func (a *app) cmdAttachments(ctx context.Context, args []string) error {
	fs := a.flags("attachments")
	outDir := fs.String("out", "", "folder to save the files in")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("attachments REF [--out DIR]")
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Request(ctx, pos[0])
	if err != nil {
		return err
	}
	msgs, err := st.Thread(ctx, r.ID)
	if err != nil {
		return err
	}
	type row struct {
		Message int64  `json:"message"`
		Name    string `json:"name"`
		Type    string `json:"content_type"`
		Size    int64  `json:"size"`
		SHA256  string `json:"sha256"`
		Saved   string `json:"saved,omitempty"`
	}
	rows := []row{}
	used := map[string]bool{}
	if *outDir != "" {
		if err := os.MkdirAll(*outDir, 0o700); err != nil {
			return err
		}
	}
	for _, m := range msgs {
		atts, err := st.Attachments(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, at := range atts {
			rw := row{Message: m.ID, Name: at.Name, Type: at.ContentType, Size: at.Size, SHA256: at.SHA256}
			if *outDir != "" {
				name := uniqueName(safeFileName(at.Name), used)
				path := filepath.Join(*outDir, name)
				data, err := os.ReadFile(st.FilePath(at.SHA256))
				if err != nil {
					return fmt.Errorf("attachment %q: %w", at.Name, err)
				}
				if err := os.WriteFile(path, data, 0o600); err != nil {
					return err
				}
				rw.Saved = path
			}
			rows = append(rows, rw)
		}
	}
	if a.json {
		return a.printJSON(rows)
	}
	for _, rw := range rows {
		fmt.Fprintf(a.stdout, "#%d  %s  (%s, %d bytes)", rw.Message, rw.Name, rw.Type, rw.Size)
		if rw.Saved != "" {
			fmt.Fprintf(a.stdout, "  → %s", rw.Saved)
		}
		fmt.Fprintln(a.stdout)
	}
	return nil
}

// safeFileName makes a display name into a plain file name: no folders, no
// control characters, no leading dots, not empty, not too long.
func safeFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if s == "" {
		s = "attachment"
	}
	if r := []rune(s); len(r) > 120 {
		ext := filepath.Ext(s)
		s = string(r[:120-len([]rune(ext))]) + ext
	}
	return s
}

// uniqueName adds " (2)", " (3)", ... before the extension until the name
// is unused.
func uniqueName(name string, used map[string]bool) string {
	candidate := name
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for n := 2; used[strings.ToLower(candidate)]; n++ {
		candidate = fmt.Sprintf("%s (%d)%s", base, n, ext)
	}
	used[strings.ToLower(candidate)] = true
	return candidate
}
