package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"foi/extract"
	"foi/store"
)

// storeTexts reads the text of each file of a message just filed and
// stores it by the file's SHA-256, for search and classification (issue
// 11, item 3; issue 13, item 1). A file whose text is stored already (the
// same bytes came before) is not read again. It runs after the message is
// committed: reading text never holds up or undoes filing. A failure to
// store is logged, and the file is then listed as "not-read" by every
// search until `foi reindex` reads it.
func (p *Processor) storeTexts(ctx context.Context, atts []Attachment) {
	for _, a := range atts {
		if a.Data == nil && a.Size > 0 {
			continue
		}
		if v, ok, err := p.Store.FileTextVersion(ctx, a.SHA256); err == nil && ok && v >= extract.Version {
			continue
		}
		ft := fileText(a.SHA256, a.Name, a.ContentType, a.Data, p.now())
		if err := p.Store.PutFileText(ctx, ft); err != nil {
			p.log().Error("text of attachment not stored: run foi reindex", "file", a.Name, "sha256", a.SHA256, "err", err)
			continue
		}
		if ft.Status != string(extract.StatusOK) {
			p.log().Info("attachment text not read", "file", a.Name, "status", ft.Status, "reason", ft.Reason)
		}
	}
}

// fileText reads one file's text into the row that stores it.
func fileText(sha, name, contentType string, data []byte, now time.Time) store.FileText {
	res, _ := extract.Text(name, contentType, data) // the status says it all
	return store.FileText{SHA256: sha, Status: string(res.Status), Format: res.Format, Reason: res.Reason,
		Text: res.Text, Truncated: res.Truncated, Pages: res.Pages, Version: extract.Version, At: now}
}

// ReindexReport says what Reindex did.
type ReindexReport struct {
	Files    int `json:"files"`    // distinct files of received messages
	Read     int `json:"read"`     // read now
	Kept     int `json:"kept"`     // already read by this version, left as they were
	Messages int `json:"messages"` // received messages indexed
	// Unread are the files whose text could not be read, and why.
	Unread []store.UnreadFile `json:"unread"`
}

// Reindex reads the text of the stored files of every received message
// again from data_dir/files (all of them if all is set, else only those
// not read yet or read by an older extract.Version), and rebuilds the
// full-text index of the messages. A file missing from data_dir/files is
// stored as unreadable with that reason, so that it is listed, not lost
// from sight.
func Reindex(ctx context.Context, st *store.Store, all bool, now func() time.Time, log *slog.Logger) (ReindexReport, error) {
	var rep ReindexReport
	files, err := st.ReceivedFiles(ctx)
	if err != nil {
		return rep, fmt.Errorf("reindex: list files: %w", err)
	}
	rep.Files = len(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if !all {
			if v, ok, err := st.FileTextVersion(ctx, f.SHA256); err != nil {
				return rep, err
			} else if ok && v >= extract.Version {
				rep.Kept++
				continue
			}
		}
		var ft store.FileText
		data, err := os.ReadFile(st.FilePath(f.SHA256))
		switch {
		case errors.Is(err, os.ErrNotExist):
			ft = store.FileText{SHA256: f.SHA256, Status: string(extract.StatusUnreadable), Version: extract.Version, At: now(),
				Reason: "the stored file is missing from " + st.FilePath(f.SHA256) + " (restore the data folder from a backup)"}
		case err != nil:
			return rep, fmt.Errorf("reindex: read %s: %w", f.Name, err)
		default:
			ft = fileText(f.SHA256, f.Name, f.ContentType, data, now())
		}
		if err := st.PutFileText(ctx, ft); err != nil {
			return rep, fmt.Errorf("reindex: %s: %w", f.Name, err)
		}
		rep.Read++
		log.Debug("file read", "file", f.Name, "status", ft.Status)
	}
	if rep.Messages, err = st.RebuildMessageIndex(ctx); err != nil {
		return rep, err
	}
	if rep.Unread, err = st.UnreadFiles(ctx, ""); err != nil {
		return rep, err
	}
	return rep, nil
}
