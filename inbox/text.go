package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"foi/extract"
	"foi/store"
)

// fileTexts are the texts of a message's files, in the order of its
// Attachments, read once when it is parsed: for ClassifyWith (a reply that
// says only "please find our response attached" is classified from the
// attached letter) and then for the store.
type fileTexts []extract.Result

// maxMessageTextTime bounds the time spent reading one message's files:
// each is bounded by extract.Timeout, but a message may carry up to 1,000
// files. Files not read in time are unreadable with that reason, and
// listed; `foi reindex --all` reads them again.
const maxMessageTextTime = time.Minute

// readTexts reads the text of each of m's files (extract.Text: bounded in
// time and size, never failing), or takes it from cache when the same file
// was read before (cache may be nil).
func readTexts(m *Message, cache *textCache) fileTexts {
	if len(m.Attachments) == 0 {
		return nil
	}
	start := time.Now()
	ft := make(fileTexts, len(m.Attachments))
	for i, a := range m.Attachments {
		key := a.SHA256 + "/" + extract.Detect(a.Name, a.ContentType, a.Data)
		if r, ok := cache.get(key); ok {
			ft[i] = r
			continue
		}
		if time.Since(start) > maxMessageTextTime {
			ft[i] = extract.Result{Status: extract.StatusUnreadable, Format: extract.Detect(a.Name, a.ContentType, a.Data),
				Reason: fmt.Sprintf("not read: reading this message's earlier files took over %s; run foi reindex --all to try again", maxMessageTextTime)}
			continue
		}
		ft[i], _ = extract.Text(a.Name, a.ContentType, a.Data) // the status says it all
		cache.put(key, ft[i])
	}
	return ft
}

// textCache keeps the text lately read from files, by SHA-256 and the kind
// the file was read as, so that a file attached to many replies (a trust's
// standard letter, the logo in its signature, a spreadsheet sent to every
// requester) is read once, not with every reply (issue 12). A file that
// could not be read is not kept: it is tried again. It is safe for
// concurrent use; the zero value is empty, and a nil cache keeps nothing.
type textCache struct {
	mu    sync.Mutex
	m     map[string]extract.Result
	bytes int
}

// What a textCache holds at most: when a file would take it over, it is
// emptied first.
const (
	maxCachedTexts     = 2000
	maxCachedTextBytes = 8 << 20
)

func (c *textCache) get(key string) (extract.Result, bool) {
	if c == nil {
		return extract.Result{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[key]
	return r, ok
}

func (c *textCache) put(key string, r extract.Result) {
	if c == nil || r.Status == extract.StatusUnreadable || len(r.Text) > maxCachedTextBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTexts || c.bytes+len(r.Text) > maxCachedTextBytes {
		c.m, c.bytes = map[string]extract.Result{}, 0
	}
	if _, ok := c.m[key]; !ok {
		c.m[key] = r
		c.bytes += len(r.Text)
	}
}

// letterHead is how much of each file's text classification reads: a
// letter states its decision on its first pages (about 3,000 characters a
// page), and classifying costs time in proportion to the text read
// (BenchmarkSyncWithFiles, 100 replies each with a 20-page PDF letter:
// 29 s reading 64 KB of each, 8 s reading 12 KB; reading the PDFs' text
// itself took 0.26 s of it, storing it 0.16 s).
const letterHead = 12 << 10

// letters are the first letterHead bytes of each text that could be read,
// for ClassifyWith, but for spreadsheets: a table (CSV, xlsx, ods) holds the
// figures asked for, not the authority's decision, which its letter states
// (the body, or an attached PDF, document or text); reading its cells as a
// letter cost a sync of replies with data attached a tenth of its time
// (issue 12), and a cell could read as a refusal.
func (ft fileTexts) letters() []string {
	var out []string
	for _, r := range ft {
		if r.Status == extract.StatusOK && !spreadsheet[r.Format] {
			t := r.Text
			if len(t) > letterHead {
				cut := letterHead
				for cut > 0 && !utf8.RuneStart(t[cut]) {
					cut--
				}
				t = t[:cut]
			}
			out = append(out, t)
		}
	}
	return out
}

// spreadsheet lists the extract formats of tables.
var spreadsheet = map[string]bool{"csv": true, "xlsx": true, "ods": true}

// storeTexts stores the text of each file of the messages just filed, by
// the file's SHA-256, for search (issue 11, item 3; issue 13, item 1): the
// text read at parsing when there is one (texts, in the order of the
// message's attachments), else read now. A file whose text is stored
// already (the same bytes came before) is left as it is. It runs after the
// messages are committed: reading text never holds up or undoes filing. It
// writes the whole batch in one transaction (issue 12). A failure to store
// is logged, and the files are then listed as "not-read" by every search
// until `foi reindex` reads them.
// (The message itself is indexed as it is stored, with its new text:
// store.Incoming.SearchBody.)
func (p *Processor) storeTexts(ctx context.Context, filed []filedText) {
	var shas []string
	for _, f := range filed {
		for _, a := range f.m.Attachments {
			shas = append(shas, a.SHA256)
		}
	}
	have, err := p.Store.FileTextVersions(ctx, shas)
	if err != nil {
		p.log().Warn("could not tell which files' text is stored: reading them all again", "err", err)
		have = map[string]int{}
	}
	var files []store.FileText
	for _, f := range filed {
		for i, a := range f.m.Attachments {
			if v, ok := have[a.SHA256]; ok && v >= extract.Version {
				continue
			}
			have[a.SHA256] = extract.Version // once for the batch
			var res extract.Result
			if i < len(f.texts) {
				res = f.texts[i]
			} else {
				res, _ = extract.Text(a.Name, a.ContentType, a.Data)
			}
			ft := fileTextRow(a.SHA256, res, p.now())
			files = append(files, ft)
			switch res.Status {
			case extract.StatusOK:
			case extract.StatusUnsupported: // images in signatures: every reply has them
				p.log().Debug("attachment not read: not a kind foi reads", "file", a.Name, "reason", ft.Reason)
			default:
				p.log().Info("attachment text could not be read", "file", a.Name, "status", ft.Status, "reason", ft.Reason)
			}
		}
	}
	if err := p.Store.PutFileTexts(ctx, files); err != nil {
		p.log().Error("attachments not indexed for search: run foi reindex", "files", len(files), "err", err)
	}
}

// filedText is one message just filed, for storeTexts: the message and its
// files' text.
type filedText struct {
	m     *Message
	texts fileTexts
}

// fileTextRow is the row that stores one file's text.
func fileTextRow(sha string, res extract.Result, now time.Time) store.FileText {
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
// full-text index of the messages (their new text, as at filing). A file missing from data_dir/files is
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
			res, _ := extract.Text(f.Name, f.ContentType, data)
			ft = fileTextRow(f.SHA256, res, now())
		}
		if err := st.PutFileText(ctx, ft); err != nil {
			return rep, fmt.Errorf("reindex: %s: %w", f.Name, err)
		}
		rep.Read++
		log.Debug("file read", "file", f.Name, "status", ft.Status)
	}
	if rep.Messages, err = st.RebuildMessageIndex(ctx, unquoted); err != nil {
		return rep, err
	}
	if rep.Unread, err = st.UnreadFiles(ctx, ""); err != nil {
		return rep, err
	}
	return rep, nil
}
