package inbox

import (
	"context"
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
//  3. fetches them in batches (see batch): one streamed FETCH per batch
//     (the whole messages, and only the headers of those above the size
//     limit), files the batch through a Pass of the Processor, which
//     parses on all cores and commits the batch with one flush to disk and
//     one transaction, and only then flags the batch with one UID STORE
//     (and moves it to processed_folder if one is set, with one MOVE) and
//     records its last UID as processed.
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
	// BatchSize caps the messages of one batch (default batchCount).
	BatchSize int
	// Progress, if set, is called after each batch of a pass with the
	// messages filed so far and the pass's total (a progress bar).
	Progress func(done, total int)
	// Stage, if set, is called at each step of a batch: "fetched" (read,
	// not yet committed), "committed", "storing" (the STORE of the filed
	// flag about to be sent), "stored", "moved" (MOVE done, or none to do)
	// and "advanced" (the folder's last UID recorded). The SIGKILL tests
	// kill the process there.
	Stage func(stage string)
}

func (w *Watcher) stage(s string) {
	if w.Stage != nil {
		w.Stage(s)
	}
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
	start := time.Now()
	// The classifier's automaton is built at its first use (tens of
	// milliseconds): here, while the connection is made, rather than in
	// the first batch.
	go scanLits("")
	// A sync has mail to file, as a rule: the matching index is read
	// while the connection is made (in a campaign of 20,000 requests that
	// takes as long as filing the first batches).
	early := w.begin(ctx)
	c, err := mailbox.Dial(ctx, w.Cfg, mailbox.Options{Dir: w.Dir})
	if err != nil {
		<-early
		return Stats{}, err
	}
	defer c.Logout()
	w.log().Debug("connected to the mailbox", "took", time.Since(start).Round(time.Millisecond))
	return w.passWith(ctx, c, early)
}

// begun is what Processor.Begin gave.
type begun struct {
	ps  *Pass
	err error
}

// begin starts Processor.Begin for the folder; the channel gives its
// result once.
func (w *Watcher) begin(ctx context.Context) <-chan begun {
	ch := make(chan begun, 1)
	go func() {
		ps, err := w.Proc.Begin(ctx, w.Cfg.Folder)
		ch <- begun{ps, err}
	}()
	return ch
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

// Batch bounds: a batch holds at most batchCount messages and, beyond its
// first message, at most batchBytes of them, so that a pass's memory is
// bounded by the size limit and the batch, never by the mailbox. 200
// messages make one transaction and one flush to disk cost little per
// message; two batches are in memory at once (one parsed while the one
// before it is committed), and 8 MB each keeps their parsed copies well
// inside the 100 MB that a pass may use.
const (
	batchCount = 200
	batchBytes = 8 << 20
	firstBatch = 25
)

// pass fetches and files what is new in the folder.
//
// Batches go through a pipeline of two: while batch i is committed,
// flagged and recorded on this goroutine, batch i+1, fetched before, is
// parsed and classified on all cores (Processor.Prepare touches nothing but its
// batch). The mailbox connection and the store are used here only, in
// order: batch i is committed before it is flagged or moved, and the
// folder's last UID is advanced batch by batch, as before.
func (w *Watcher) pass(ctx context.Context, c *mailbox.Conn) (Stats, error) {
	return w.passWith(ctx, c, nil)
}

// passWith is pass with the matching index being read already (early),
// or, when early is nil, read once the pass finds new mail.
func (w *Watcher) passWith(ctx context.Context, c *mailbox.Conn, early <-chan begun) (st Stats, err error) {
	if early != nil {
		defer func() {
			if early != nil {
				<-early // not used: new mail was not found, or the pass failed first
			}
		}()
	}
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
	if len(uids) == 0 {
		return st, w.passDone(st)
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	// The matching index is read while the first batch is fetched and
	// parsed, or from before the connection was made (Sync): in a campaign
	// of 20,000 requests it takes longer than filing a few hundred replies
	// (issue 12: the same time at 300 and at 20,000 requests).
	begin := early
	early = nil // the pipeline below waits for it
	if begin == nil {
		begin = w.begin(ctx)
	}
	var ps *Pass
	batches := w.batches(uids, sizes)
	fetched, err := w.fetch(c, batches[0], sizes)
	if err != nil {
		<-begin
		return st, err
	}
	prepared := prepareAsync(w.Proc, fetched)
	done := 0
	for i, batch := range batches {
		var next []Fetched
		if i+1 < len(batches) && ctx.Err() == nil {
			if next, err = w.fetch(c, batches[i+1], sizes); err != nil {
				(<-prepared).Discard()
				if ps == nil {
					<-begin
				}
				return st, err
			}
		}
		pr := <-prepared
		if err := ctx.Err(); err != nil {
			pr.Discard()
			if ps == nil {
				<-begin
			}
			return st, err
		}
		if i+1 < len(batches) {
			prepared = prepareAsync(w.Proc, next)
		}
		if ps == nil {
			b := <-begin
			if b.err != nil {
				pr.Discard()
				if i+1 < len(batches) {
					(<-prepared).Discard()
				}
				return st, b.err
			}
			ps = b.ps
		}
		if err := w.commit(ctx, c, ps, sel.UIDValidity, batch, pr, &st); err != nil {
			if i+1 < len(batches) {
				(<-prepared).Discard()
			}
			return st, err
		}
		done += len(batch)
		if w.Progress != nil {
			w.Progress(done, len(uids))
		}
	}
	return st, w.passDone(st)
}

// batches cuts the new UIDs (ascending) into batches (see batchCount).
// The first batches are small and each twice the one before (25, 50, 100,
// then batchCount): the first batch is parsed with nothing else to do, so
// a small one starts the pipeline sooner, and the first replies are filed
// sooner.
func (w *Watcher) batches(uids []imap.UID, sizes map[imap.UID]int64) [][]imap.UID {
	limit := int64(w.Cfg.MaxMessageSize)
	count := batchCount
	if w.BatchSize > 0 {
		count = w.BatchSize
	}
	var out [][]imap.UID
	for len(uids) > 0 {
		n, bytes := 0, int64(0)
		most := min(count, firstBatch<<min(len(out), 8))
		for n < len(uids) && n < most {
			size := min(sizes[uids[n]], limit)
			if n > 0 && bytes+size > batchBytes {
				break
			}
			bytes += size
			n++
		}
		out = append(out, uids[:n])
		uids = uids[n:]
	}
	return out
}

// prepareAsync parses a batch on other goroutines; the channel gives the
// result once.
func prepareAsync(p *Processor, batch []Fetched) <-chan *Prepared {
	ch := make(chan *Prepared, 1)
	go func() { ch <- p.Prepare(batch) }()
	return ch
}

func (w *Watcher) passDone(st Stats) error {
	if w.OnPass != nil {
		w.OnPass(st)
	}
	return nil
}

// fetch reads one batch of UIDs (ascending): one streamed FETCH for the
// messages within the size limit and one for the headers of those above
// it.
func (w *Watcher) fetch(c *mailbox.Conn, uids []imap.UID, sizes map[imap.UID]int64) ([]Fetched, error) {
	folder := w.Cfg.Folder
	limit := int64(w.Cfg.MaxMessageSize)
	var whole, heads imap.UIDSet
	for _, uid := range uids {
		if sizes[uid] > limit {
			heads.AddNum(uid)
		} else {
			whole.AddNum(uid)
		}
	}
	start := time.Now()
	raws := map[imap.UID][]byte{}
	if err := fetchInto(c, whole, false, limit, raws); err != nil {
		return nil, err
	}
	if err := fetchInto(c, heads, true, limit, raws); err != nil {
		return nil, err
	}
	var fetched []Fetched
	for _, uid := range uids {
		raw, ok := raws[uid]
		if !ok {
			// Expunged by another client since it was listed: there is
			// nothing left to lose.
			w.log().Warn("message gone from the mailbox before it could be read", "folder", folder, "uid", uid)
			continue
		}
		fetched = append(fetched, Fetched{Raw: raw, UID: uint32(uid), Oversize: sizes[uid] > limit})
	}
	w.log().Debug("batch fetched", "messages", len(fetched), "took", time.Since(start).Round(time.Millisecond))
	w.stage("fetched")
	return fetched, nil
}

// commit files and marks one prepared batch: one Pass.Commit, which
// commits them; then one UID STORE for the filed flag, one MOVE if
// processed_folder is set, and the folder's last UID advanced to the
// batch's last. A crash before the commit leaves nothing stored and the
// batch is fetched again; after it, the messages are found stored (by
// SHA-256) when fetched again, and only flagged and moved.
func (w *Watcher) commit(ctx context.Context, c *mailbox.Conn, ps *Pass, uidValidity uint32, uids []imap.UID, pr *Prepared, st *Stats) error {
	folder := w.Cfg.Folder
	start := time.Now()
	outs, err := ps.Commit(ctx, pr)
	if err != nil {
		return fmt.Errorf("file messages UID %d-%d of %s: %w", uids[0], uids[len(uids)-1], folder, err)
	}
	w.log().Debug("batch filed", "messages", len(outs), "took", time.Since(start).Round(time.Millisecond))
	w.stage("committed")
	start = time.Now()
	// Committed: now the mailbox may be touched.
	var filed imap.UIDSet
	for i, out := range outs {
		f := pr.items[i].Fetched
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
		if f.Oversize {
			st.Oversize++
		}
		if out.Taken || out.Dup {
			filed.AddNum(imap.UID(f.UID))
		}
	}
	if len(filed) > 0 {
		if err := w.markFiled(c, filed); err != nil {
			return err
		}
	}
	w.stage("moved")
	err = w.Store.SetFolder(ctx, folder, uidValidity, uint32(uids[len(uids)-1]), w.Proc.now())
	w.log().Debug("batch marked", "messages", len(outs), "took", time.Since(start).Round(time.Millisecond))
	w.stage("advanced")
	return err
}

// fetchInto reads the messages of set with one streamed FETCH (only their
// headers when headers is set) into raws, by UID. Each literal is read in
// full before the next message is asked for, and never beyond limit+1
// bytes.
func fetchInto(c *mailbox.Conn, set imap.UIDSet, headers bool, limit int64, raws map[imap.UID][]byte) error {
	if len(set) == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	if headers {
		section.Specifier = imap.PartSpecifierHeader
	}
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var uid imap.UID
		var raw []byte
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = item.UID
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil {
					continue
				}
				// The literal's size is known: read it into a buffer of
				// that size, not one grown by doubling.
				data := make([]byte, max(0, min(item.Literal.Size(), limit+1)))
				got, err := io.ReadFull(item.Literal, data)
				data = data[:got]
				if err == io.EOF {
					err = nil // an empty literal
				}
				if err != nil {
					return fmt.Errorf("fetch %v: %w", set, err)
				}
				raw = data
			}
		}
		if uid != 0 && raw != nil {
			raws[uid] = raw
		}
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("fetch %v: %w", set, err)
	}
	return nil
}

// markFiled flags committed messages with one UID STORE and moves them
// with one MOVE if so configured.
func (w *Watcher) markFiled(c *mailbox.Conn, set imap.UIDSet) error {
	w.stage("storing")
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{FiledKeyword}}, nil).Close(); err != nil {
		// Some servers refuse keywords; filing does not depend on the flag.
		w.log().Debug("could not flag filed messages", "uids", set.String(), "err", err)
	}
	w.stage("stored")
	if w.Cfg.ProcessedFolder == "" {
		return nil
	}
	if _, err := c.Move(set, w.Cfg.ProcessedFolder).Wait(); err != nil {
		return fmt.Errorf("move UIDs %s to %s: %w", set, w.Cfg.ProcessedFolder, err)
	}
	return nil
}
