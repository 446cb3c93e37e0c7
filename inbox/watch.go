package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"foi/config"
	"foi/mailbox"
	"foi/store"
)

// FiledKeyword marks a message foi has filed, so that a mail client can show
// it; it is set only after the message is committed to the store.
const FiledKeyword = imap.Flag("$FoiFiled")

// Watcher reads the campaign mailbox: `foi sync` runs one pass (Sync), `foi
// serve` runs Run, which keeps a connection open and waits with IDLE (or
// polls with NOOP) for new mail. Each pass:
//
//  1. SELECTs the folder and compares its UIDVALIDITY with the one stored;
//     if it changed, every message is fetched again (de-duplication by
//     content hash and Message-ID keeps the store free of copies);
//  2. lists the UIDs above the last one processed and fetches their sizes;
//  3. fetches each message on its own (the whole message, or only its
//     header if it is above the size limit), files it through the
//     Processor, which commits it, and only then flags it (and moves it to
//     processed_folder if one is set) and records its UID as processed.
//
// After any error Run reconnects with exponential backoff and jitter. A
// Watcher is used by one goroutine.
type Watcher struct {
	Cfg   config.IMAP
	Dir   string
	Proc  *Processor
	Store *store.Store
	Log   *slog.Logger
	// IdleEvery re-issues IDLE at least this often (default 20 minutes,
	// inside the 29 minutes of RFC 2177).
	IdleEvery time.Duration
	// Backoff and BackoffMax bound the reconnect delay (default 1s, 5m).
	Backoff, BackoffMax time.Duration
	// OnPass, if set, is called after each pass with its counts.
	OnPass func(Stats)
}

// Stats counts what a pass did.
type Stats struct {
	Seen      int  `json:"seen"`
	Filed     int  `json:"filed"`
	Unmatched int  `json:"unmatched"`
	Ignored   int  `json:"ignored"`
	Duplicate int  `json:"duplicate"`
	Oversize  int  `json:"oversize"`
	Resync    bool `json:"resync,omitempty"`
}

func (w *Watcher) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Sync connects, runs one pass, and logs out.
func (w *Watcher) Sync(ctx context.Context) (Stats, error) {
	c, err := mailbox.Dial(ctx, w.Cfg, mailbox.Options{Dir: w.Dir})
	if err != nil {
		return Stats{}, err
	}
	defer c.Logout()
	return w.pass(ctx, c)
}

// Run watches the mailbox until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	first, max := w.Backoff, w.BackoffMax
	if first <= 0 {
		first = time.Second
	}
	if max <= 0 {
		max = 5 * time.Minute
	}
	failures := 0
	for {
		healthy, err := w.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if healthy {
			failures = 0
		}
		failures++
		d := first << min(failures-1, 20)
		if d > max || d <= 0 {
			d = max
		}
		// Full jitter: somewhere between half and all of the backoff.
		d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
		w.log().Warn("mailbox connection lost; reconnecting", "err", err, "in", d.Round(time.Millisecond))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// session is one connection: a pass, then wait for news and pass again,
// until something fails. healthy says the connection got as far as a pass.
func (w *Watcher) session(ctx context.Context) (healthy bool, err error) {
	news := make(chan struct{}, 1)
	notify := func() {
		select {
		case news <- struct{}{}:
		default:
		}
	}
	handler := &imapclient.UnilateralDataHandler{
		// Runs on the client's reader goroutine: only signal.
		Mailbox: func(data *imapclient.UnilateralDataMailbox) {
			if data.NumMessages != nil {
				notify()
			}
		},
	}
	c, err := mailbox.Dial(ctx, w.Cfg, mailbox.Options{Dir: w.Dir, UnilateralDataHandler: handler})
	if err != nil {
		return false, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if _, err := w.pass(ctx, c); err != nil {
		return false, err
	}
	idleEvery := w.IdleEvery
	if idleEvery <= 0 {
		idleEvery = 20 * time.Minute
	}
	canIdle := c.Caps().Has(imap.CapIdle)
	for {
		if canIdle {
			idle, err := c.Idle()
			if err != nil {
				return true, fmt.Errorf("idle: %w", err)
			}
			t := time.NewTimer(idleEvery)
			select {
			case <-news:
			case <-t.C:
			case <-ctx.Done():
			case <-c.Closed():
			}
			t.Stop()
			idle.Close()
			if err := idle.Wait(); err != nil {
				return true, fmt.Errorf("idle: %w", err)
			}
		} else {
			t := time.NewTimer(w.Cfg.PollInterval)
			select {
			case <-news:
			case <-t.C:
			case <-ctx.Done():
			case <-c.Closed():
			}
			t.Stop()
			if ctx.Err() == nil {
				if err := c.Noop().Wait(); err != nil {
					return true, fmt.Errorf("noop: %w", err)
				}
			}
		}
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		if _, err := w.pass(ctx, c); err != nil {
			return true, err
		}
	}
}

// pass fetches and files what is new in the folder.
func (w *Watcher) pass(ctx context.Context, c *mailbox.Conn) (Stats, error) {
	var st Stats
	folder := w.Cfg.Folder
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		return st, fmt.Errorf("select %s: %w", folder, err)
	}
	uv, last, known, err := w.Store.Folder(ctx, folder)
	if err != nil {
		return st, err
	}
	if known && uv != sel.UIDValidity {
		w.log().Warn("UIDVALIDITY changed: fetching every message again", "folder", folder, "was", uv, "now", sel.UIDValidity)
		last, st.Resync = 0, true
	}
	if !known || st.Resync {
		if err := w.Store.SetFolder(ctx, folder, sel.UIDValidity, last, w.Proc.now()); err != nil {
			return st, err
		}
	}
	if sel.NumMessages == 0 {
		return st, nil
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0)
	sizes := map[imap.UID]int64{}
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return st, fmt.Errorf("list new messages in %s: %w", folder, err)
	}
	var uids []imap.UID
	for _, m := range msgs {
		// "last+1:*" includes the highest UID even when it is not new.
		if uint32(m.UID) > last {
			uids = append(uids, m.UID)
			sizes[m.UID] = m.RFC822Size
		}
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		oversize := sizes[uid] > int64(w.Cfg.MaxMessageSize)
		raw, err := fetchOne(c, uid, oversize, int64(w.Cfg.MaxMessageSize))
		if err != nil {
			return st, err
		}
		out, err := w.Proc.Process(ctx, raw, folder, uint32(uid), oversize)
		if err != nil {
			return st, fmt.Errorf("file message UID %d of %s: %w", uid, folder, err)
		}
		st.Seen++
		switch {
		case out.Dup:
			st.Duplicate++
		case !out.Taken:
			st.Ignored++
		case out.Ref == "":
			st.Unmatched++
		default:
			st.Filed++
		}
		if oversize {
			st.Oversize++
		}
		// Committed: now the mailbox may be touched.
		if out.Taken || out.Dup {
			if err := w.markFiled(c, uid); err != nil {
				return st, err
			}
		}
		if err := w.Store.SetFolder(ctx, folder, sel.UIDValidity, uint32(uid), w.Proc.now()); err != nil {
			return st, err
		}
	}
	if w.OnPass != nil {
		w.OnPass(st)
	}
	return st, nil
}

// fetchOne reads one message, or only its header when it is oversize. The
// literal is read in full before the command goes on, and never beyond
// limit+header bytes.
func fetchOne(c *mailbox.Conn, uid imap.UID, oversize bool, limit int64) ([]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	if oversize {
		section.Specifier = imap.PartSpecifierHeader
	}
	cmd := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	var raw []byte
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			if b, ok := item.(imapclient.FetchItemDataBodySection); ok && b.Literal != nil {
				data, err := io.ReadAll(io.LimitReader(b.Literal, limit+1))
				if err != nil {
					return nil, fmt.Errorf("fetch UID %d: %w", uid, err)
				}
				raw = data
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("fetch UID %d: %w", uid, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("fetch UID %d: %w", uid, errors.New("the server sent no body"))
	}
	return raw, nil
}

// markFiled flags a committed message and moves it if so configured.
func (w *Watcher) markFiled(c *mailbox.Conn, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{FiledKeyword}}, nil).Close(); err != nil {
		// Some servers refuse keywords; filing does not depend on the flag.
		w.log().Debug("could not flag a filed message", "uid", uid, "err", err)
	}
	if w.Cfg.ProcessedFolder == "" {
		return nil
	}
	if _, err := c.Move(set, w.Cfg.ProcessedFolder).Wait(); err != nil {
		return fmt.Errorf("move UID %d to %s: %w", uid, w.Cfg.ProcessedFolder, err)
	}
	return nil
}
