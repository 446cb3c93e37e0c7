package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"foi/export"
	"foi/store"
)

// attachmentRow is one file of a request's thread, and where it was saved.
type attachmentRow struct {
	Ref       string         `json:"ref"`
	Authority string         `json:"authority"`
	Message   int64          `json:"message"`
	Received  string         `json:"received,omitempty"`
	Name      string         `json:"name"`
	Type      string         `json:"content_type"`
	Size      int64          `json:"size"`
	SHA256    string         `json:"sha256"`
	Saved     string         `json:"saved,omitempty"`
	Outcome   export.Outcome `json:"outcome,omitempty"`
	Error     string         `json:"error,omitempty"` // why it could not be saved
}

// cmdAttachments lists the files of a request, or of every request of a
// campaign, and with --out saves them, each request in its own folder.
func (a *app) cmdAttachments(ctx context.Context, args []string) error {
	fs := a.flags("attachments")
	outDir := fs.String("out", "", "folder to save the files in (each request gets its own folder inside it)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("attachments REF|SLUG [--out DIR]")
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	reqs, err := requestsNamed(ctx, st, pos[0])
	if err != nil {
		return err
	}
	var out *os.Root
	if *outDir != "" {
		if err := os.MkdirAll(*outDir, 0o700); err != nil {
			return err
		}
		if out, err = os.OpenRoot(*outDir); err != nil {
			return err
		}
		defer out.Close()
	}
	rows := []attachmentRow{}
	for _, r := range reqs {
		got, err := a.requestAttachments(ctx, st, r, out)
		if err != nil {
			return err
		}
		rows = append(rows, got...)
	}
	failed := 0
	for _, rw := range rows {
		if rw.Error != "" {
			failed++
		}
	}
	if a.json {
		if err := a.printJSON(rows); err != nil {
			return err
		}
	} else {
		a.printAttachments(pos[0], len(reqs), rows, *outDir)
	}
	if failed > 0 {
		return fmt.Errorf("%s could not be saved (see above); the others were", plural(failed, "file"))
	}
	return nil
}

// requestsNamed is the request with reference name, or else the requests
// of the campaign with slug name.
func requestsNamed(ctx context.Context, st *store.Store, name string) ([]store.Request, error) {
	r, err := st.Request(ctx, name)
	if err == nil {
		return []store.Request{r}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if _, err := st.Campaign(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("no request or campaign is called %q (see foi status and foi campaign list)", name)
		}
		return nil, err
	}
	return st.Requests(ctx, name)
}

// requestAttachments lists one request's files and, if out is set, saves
// them in the request's own folder inside it. A file that cannot be saved
// is reported in its row (Error) and the others are still saved.
func (a *app) requestAttachments(ctx context.Context, st *store.Store, r store.Request, out *os.Root) ([]attachmentRow, error) {
	msgs, err := st.Thread(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var rows []attachmentRow
	var folder *os.Root
	defer func() {
		if folder != nil {
			folder.Close()
		}
	}()
	for _, m := range msgs {
		atts, err := st.Attachments(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		for _, at := range atts {
			rw := attachmentRow{Ref: r.Ref, Authority: r.Authority.Name, Message: m.ID, Name: at.Name,
				Type: at.ContentType, Size: at.Size, SHA256: at.SHA256}
			if !m.Date.IsZero() {
				rw.Received = m.Date.In(londonLoc()).Format("2006-01-02")
			}
			if out != nil {
				if folder == nil {
					// Inside out, never through a symlink leading out of it.
					if folder, err = export.OpenFolder(out, export.FolderName(r.Ref, r.Authority.Name)); err != nil {
						return nil, fmt.Errorf("%s: %w", r.Ref, err)
					}
				}
				if res, err := saveAttachment(st, folder, at); err != nil {
					rw.Error = err.Error()
				} else {
					rw.Saved, rw.Outcome = res.Path, res.Outcome
				}
			}
			rows = append(rows, rw)
		}
	}
	return rows, nil
}

func saveAttachment(st *store.Store, folder *os.Root, at store.Attachment) (export.Result, error) {
	data, err := os.ReadFile(st.FilePath(at.SHA256))
	if err != nil {
		return export.Result{}, fmt.Errorf("read the stored file: %w", err)
	}
	return export.Save(folder, at.Name, data)
}

func (a *app) printAttachments(name string, requests int, rows []attachmentRow, outDir string) {
	if len(rows) == 0 {
		if requests == 1 {
			fmt.Fprintf(a.stdout, "No files have come for %s.\n", strings.ToUpper(name))
		} else {
			fmt.Fprintf(a.stdout, "No files have come for any of the %s of %s.\n", count(requests, "request", "requests"), name)
		}
		return
	}
	counts := map[export.Outcome]int{}
	withFiles := 0
	for i, rw := range rows {
		if i == 0 || rows[i-1].Ref != rw.Ref {
			withFiles++
			fmt.Fprintf(a.stdout, "%s  %s\n", rw.Ref, rw.Authority)
		}
		fmt.Fprintf(a.stdout, "  #%d  %s  (%s, %d bytes", rw.Message, rw.Name, rw.Type, rw.Size)
		if rw.Received != "" {
			fmt.Fprintf(a.stdout, ", %s", rw.Received)
		}
		fmt.Fprint(a.stdout, ")")
		counts[rw.Outcome]++
		switch rw.Outcome {
		case export.Saved:
			fmt.Fprintf(a.stdout, "\n      saved as %s", rw.Saved)
		case export.Renamed:
			fmt.Fprintf(a.stdout, "\n      saved as %s (a different file called %q is already there)", rw.Saved, export.FileName(rw.Name))
		case export.Identical:
			fmt.Fprintf(a.stdout, "\n      already saved as %s (the same bytes): not written again", rw.Saved)
		}
		if rw.Error != "" {
			fmt.Fprintf(a.stdout, "\n      NOT SAVED: %s", rw.Error)
		}
		fmt.Fprintln(a.stdout)
	}
	from := ""
	if requests > 1 {
		from = fmt.Sprintf(" from %d of %d requests", withFiles, requests)
	}
	if outDir == "" {
		fmt.Fprintf(a.stdout, "%s%s. Save them with `foi attachments %s --out DIR` (each request in its own folder; nothing is overwritten).\n",
			plural(len(rows), "file"), from, name)
		return
	}
	fmt.Fprintf(a.stdout, "%s saved", plural(counts[export.Saved]+counts[export.Renamed], "file"))
	if n := counts[export.Renamed]; n > 0 {
		fmt.Fprintf(a.stdout, " (%d under a new name)", n)
	}
	if n := counts[export.Identical]; n > 0 {
		fmt.Fprintf(a.stdout, ", %d already there", n)
	}
	if from != "" {
		fmt.Fprint(a.stdout, ",", from)
	}
	fmt.Fprintf(a.stdout, ", in %s.\n", outDir)
}

// plural writes "1 file", "2 files".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// safeFileName makes a display name into a plain file name (export.FileName).
func safeFileName(name string) string { return export.FileName(name) }

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
