package inbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"foi/campaign"
	"foi/lifecycle"
	"foi/store"
)

// Processor files received messages: parse, match, classify, and store the
// raw bytes, the attachments and the rows at once. It is the one place where
// a classification turns into a suggested state change. Safe for concurrent
// use only if its Store is (it is).
type Processor struct {
	Store *store.Store
	// PlusSecret verifies plus-address tags ("" when not used).
	PlusSecret string
	Now        func() time.Time
	Log        *slog.Logger

	texts textCache // the text of files lately read (text.go)
}

// Outcome says what Process did with one message.
type Outcome struct {
	// Taken: the message was stored (matched or in the unmatched queue). A
	// message not taken stays in the mailbox untouched.
	Taken bool           `json:"taken"`
	Dup   bool           `json:"duplicate,omitempty"`
	ID    int64          `json:"id,omitempty"`
	Ref   string         `json:"ref,omitempty"`
	Rule  string         `json:"rule,omitempty"`
	Kind  lifecycle.Kind `json:"kind,omitempty"`
	Why   string         `json:"why,omitempty"`
}

func (p *Processor) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Processor) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Fetched is one message read from the mailbox, to be filed: the whole
// message, or only its header when Oversize is set (the message was larger
// than the size limit).
type Fetched struct {
	Raw      []byte
	UID      uint32
	Oversize bool
}

// Process files one message: a batch of one (see Pass.File). It returns an
// error only when storing failed; a message that cannot be parsed is
// stored raw and flagged.
func (p *Processor) Process(ctx context.Context, raw []byte, folder string, uid uint32, oversize bool) (Outcome, error) {
	ps, err := p.Begin(ctx, folder)
	if err != nil {
		return Outcome{}, err
	}
	outs, err := ps.File(ctx, []Fetched{{Raw: raw, UID: uid, Oversize: oversize}})
	if err != nil {
		return Outcome{}, err
	}
	return outs[0], nil
}

// Pass files the messages of one pass over a folder, batch by batch. The
// matching index is read from the store once, when the pass begins, and
// kept up to date as the pass files replies (an authority reference
// learned, a request's state moved), so that filing a message costs the
// same in a campaign of 300 requests and one of 20,000. Letters sent while
// a pass runs are known to the next pass. A Pass is used by one goroutine.
type Pass struct {
	p      *Processor
	folder string
	idx    *StoreIndex
}

// Begin starts a pass over folder.
func (p *Processor) Begin(ctx context.Context, folder string) (*Pass, error) {
	data, err := p.Store.Index(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the matching index: %w", err)
	}
	return &Pass{p: p, folder: folder, idx: NewIndex(data, p.PlusSecret)}, nil
}

// parsed is one message of a batch on its way through File.
type parsed struct {
	Fetched
	sum  string
	dup  bool
	m    *Message
	perr error
	// texts: the files' text, for classification and search (text.go).
	texts fileTexts
	// cls is the classification, made beside the parse, on all cores: it
	// depends on the message alone.
	cls Classification
}

// File files a batch of messages, in order, and returns what it did with
// each. It goes:
//
//  1. hash, parse and classify every message, on all cores;
//  2. drop the messages whose exact bytes are stored already (the same
//     SHA-256), asking the store once for the whole batch;
//  3. match each in order, against the pass's index, which learns from
//     each as it goes;
//  4. write the raw bytes and attachments of the messages taken, with one
//     flush to disk for the batch (store.Blobs);
//  5. store all their rows in one transaction.
//
// Nothing in the mailbox is touched here: when File returns without error,
// every message taken is on disk and committed, and the caller may flag or
// move them. On error nothing of the batch is committed.
func (ps *Pass) File(ctx context.Context, batch []Fetched) ([]Outcome, error) {
	return ps.Commit(ctx, ps.p.Prepare(batch))
}

// Prepared is a batch hashed, parsed and classified (step 1 of File),
// ready for Commit, its files written ahead.
type Prepared struct {
	items []parsed
	blobs *store.Blobs
}

// Discard removes the files written ahead for a batch that will not be
// committed.
func (pr *Prepared) Discard() { pr.blobs.Discard() }

// Prepare does step 1 of Pass.File: it hashes, parses and classifies the
// messages of batch on all cores, and on the same cores writes each
// message and its attachments to temporary files (store.Blobs staging:
// nothing is visible, or kept, until Commit claims it). It reads nothing
// of a pass or the store's rows, so one batch may be prepared while the
// one before it is committed, or before the pass has begun.
func (p *Processor) Prepare(batch []Fetched) *Prepared {
	items := make([]parsed, len(batch))
	for i, f := range batch {
		items[i].Fetched = f
	}
	blobs := p.Store.NewBlobs()
	parseAll(items, blobs, &p.texts)
	return &Prepared{items: items, blobs: blobs}
}

// Commit does steps 2 to 5 of File for a prepared batch, and returns what
// it did with each message, in order.
func (ps *Pass) Commit(ctx context.Context, pr *Prepared) ([]Outcome, error) {
	p := ps.p
	items := pr.items
	blobs := pr.blobs
	defer blobs.Discard()
	sums := make([]string, len(items))
	for i := range items {
		sums[i] = items[i].sum
	}
	known, err := p.Store.KnownSHA256(ctx, sums)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for i := range items {
		it := &items[i]
		it.dup = known[it.sum] || seen[it.sum]
		seen[it.sum] = true
		if !it.dup && it.m.MessageID != "" {
			ids = append(ids, it.m.MessageID)
		}
	}
	earlier, err := p.Store.ReceivedWithMessageIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	outs := make([]Outcome, len(items))
	var ins []store.Incoming
	var at []int // at[k]: the item of ins[k]
	now := p.now()
	for i := range items {
		it := &items[i]
		if it.dup {
			outs[i] = Outcome{Dup: true}
			continue
		}
		m := it.m
		// The same bytes were a duplicate above; the same Message-ID with
		// other bytes is another message from a system that reuses IDs.
		// Keep it.
		if n := earlier[m.MessageID]; m.MessageID != "" && n > 0 {
			m.Flags = append(m.Flags, Flag{Code: "reused-message-id", Severe: true,
				Detail: fmt.Sprintf("%d earlier message(s) with Message-ID <%s> and different content: kept as a new message", n, cleanLine(m.MessageID, 200))})
		}
		out, res, cls := ps.decide(it)
		outs[i] = out
		log := p.log().With("folder", ps.folder, "uid", it.UID, "message_id", m.MessageID)
		if !out.Taken {
			log.Debug("not ours: left in the mailbox", "from", m.From.Addr, "subject", m.Subject)
			continue
		}
		if m.MessageID != "" {
			earlier[m.MessageID]++
		}
		if err := blobs.PutMailHashed(it.Raw, it.sum); err != nil {
			return nil, fmt.Errorf("store message UID %d: %w", it.UID, err)
		}
		in, err := p.incoming(blobs, m, it.Raw, it.sum, res, cls)
		if err != nil {
			return nil, fmt.Errorf("message UID %d: %w", it.UID, err)
		}
		in.Folder, in.UID, in.ReceivedAt = ps.folder, it.UID, now
		ps.idx.learn(in)
		ins = append(ins, in)
		at = append(at, i)
	}
	if len(ins) == 0 {
		return outs, nil
	}
	if err := blobs.Commit(); err != nil {
		return nil, err
	}
	saved, err := p.Store.SaveIncomingBatch(ctx, ins, now)
	if err != nil {
		return nil, err
	}
	filed := make([]filedText, 0, len(saved))
	for k, sv := range saved {
		i := at[k]
		outs[i].ID, outs[i].Dup = sv.ID, sv.Dup
		filed = append(filed, filedText{m: items[i].m, texts: items[i].texts})
	}
	p.storeTexts(ctx, filed) // text.go: text for search
	for k := range saved {
		i := at[k]
		in := ins[k]
		log := p.log().With("folder", ps.folder, "uid", in.UID, "message_id", in.MessageID)
		if in.Ref != "" {
			log.Info("reply filed", "ref", in.Ref, "rule", in.MatchRule, "kind", in.Kind)
		} else {
			log.Info("reply kept as unmatched", "from", in.From, "subject", in.Subject, "why", outs[i].Why)
		}
	}
	return outs, nil
}

// parseAll hashes and parses the messages of a batch on all cores, and
// stages their files in blobs; texts caches the text read from files.
func parseAll(items []parsed, blobs *store.Blobs, texts *textCache) {
	workers := min(runtime.GOMAXPROCS(0), len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				it := &items[i]
				it.parse(texts)
				blobs.StageMailHashed(it.Raw, it.sum)
				for _, a := range it.m.Attachments {
					blobs.StageFileHashed(a.Data, a.SHA256)
				}
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
}

func (it *parsed) parse(texts *textCache) {
	h := sha256.Sum256(it.Raw)
	it.sum = hex.EncodeToString(h[:])
	if it.Oversize {
		it.m, it.perr = ParseHeader(bytes.NewReader(it.Raw))
		if it.m != nil {
			it.m.Flags = append(it.m.Flags, Flag{Code: "oversize", Detail: "larger than imap.max_message_size: only the header was kept", Severe: true})
		}
	} else {
		it.m, it.perr = Parse(it.Raw)
	}
	if it.m == nil {
		it.m = &Message{}
	}
	if it.perr != nil {
		it.m.Flags = append(it.m.Flags, Flag{Code: "unparsable", Detail: it.perr.Error(), Severe: true})
	}
	it.texts = readTexts(it.m, texts)
	it.m.derive()
	it.cls = ClassifyWith(it.m, it.texts.letters())
}

// decide matches and classifies one parsed message and says whether it is
// taken.
func (ps *Pass) decide(it *parsed) (Outcome, MatchResult, Classification) {
	m, idx := it.m, ps.idx
	res := Match(m, idx)
	cls := it.cls
	if res.Ref == "" && cls.Kind == lifecycle.KindBounce {
		// A bounce that does not quote our Message-ID still names the
		// address that failed.
		if ref, ok := idx.refByRecipient(cls.FailedRecipients); ok {
			res.Ref, res.Rule, res.Evidence = ref, "bounce-recipient", "bounce for "+strings.Join(cls.FailedRecipients, ", ")
		}
	}
	take, why := res.Ref != "", "matched"
	if !take {
		take, why = TakeUnmatched(m, res, idx)
	}
	if !take && it.perr != nil {
		take, why = true, "could not be parsed: kept raw for a look"
	}
	return Outcome{Taken: take, Ref: res.Ref, Rule: string(res.Rule), Kind: cls.Kind, Why: why}, res, cls
}

// incoming turns the parsed, matched and classified message into rows, and
// writes its attachments into the batch's files.
func (p *Processor) incoming(blobs *store.Blobs, m *Message, raw []byte, sum string, res MatchResult, cls Classification) (store.Incoming, error) {
	var flags []string
	for _, f := range m.Flags {
		flags = append(flags, f.Code)
	}
	if res.LowConfidence {
		flags = append(flags, "low-confidence")
	}
	var to []string
	for _, a := range m.To {
		to = append(to, a.Addr)
	}
	clsJSON, _ := json.Marshal(cls)
	var sugJSON []byte
	if len(res.Suggestions) > 0 {
		sugJSON, _ = json.Marshal(res.Suggestions)
	}
	in := store.Incoming{
		Message: store.Message{
			MessageID: m.MessageID, SHA256: sum, Size: int64(len(raw)), Subject: m.Subject,
			From: m.From.Addr, To: strings.Join(to, ", "), Date: m.Date,
			InReplyTo: strings.Join(m.InReplyTo, " "), Refs: strings.Join(m.References, " "),
			BodyText: m.Text, Kind: cls.Kind, MatchRule: string(res.Rule), LowConf: res.LowConfidence,
			Flags: strings.Join(flags, ","),
		},
		Ref: res.Ref, Classification: string(clsJSON), Suggestions: string(sugJSON),
		MatchEvidence: res.Evidence, AuthorityRef: res.AuthorityRef, SearchBody: m.newText(),
	}
	for _, a := range m.Attachments {
		if err := blobs.PutFileHashed(a.Data, a.SHA256); err != nil {
			return in, fmt.Errorf("store attachment %q: %w", a.Name, err)
		}
		parent := 0
		if a.Parent >= 0 {
			parent = a.Parent + 1
		}
		in.Attachments = append(in.Attachments, store.Attachment{
			Seq: a.Index, ParentSeq: parent, Name: a.Name, ContentType: a.ContentType,
			Size: int64(a.Size), SHA256: a.SHA256, Source: string(a.Source),
		})
	}
	if res.Ref == "" {
		return in, nil
	}
	in.Effect, in.Notes = Effect(cls)
	return in, nil
}

// StoredEffect is the effect of a stored message's classification, for
// filing it by hand (foi assign): what Effect said when it came, from the
// verdict the store kept.
func StoredEffect(m store.Message) *store.Effect {
	cls := Classification{Kind: lifecycle.KindUnknown}
	if v := m.Verdict; v != nil {
		cls = Classification{Kind: v.Kind, Evidence: v.Evidence, FailedRecipients: v.FailedRecipients, Status: v.Status,
			Diagnostic: v.Diagnostic, Temporary: v.Temporary, RedirectTo: v.RedirectTo, Sections: v.Sections, Outcome: string(v.Outcome)}
	}
	effect, _ := Effect(cls)
	return effect
}

// Effect is what a classification suggests for the request: a state change
// (applied only from the states where it makes sense, so nothing is undone)
// and the events that record the evidence. Bounces stop the request (and so
// its chasers); automatic replies change nothing; a substantive reply moves
// the request to responded (or a pending internal review to answered),
// which stops the chasers, and the user confirms the outcome with `foi mark`.
func Effect(cls Classification) (*store.Effect, []store.Event) {
	evidence := strings.Join(cls.Evidence, "; ")
	notes := []store.Event{{Kind: "classified", Detail: fmt.Sprintf("looks like %s: %s", cls.Kind, evidence)}}
	switch cls.Kind {
	case lifecycle.KindBounce:
		if cls.Temporary {
			notes = append(notes, store.Event{Kind: "bounce_delayed", Detail: "delivery delayed: " + cls.Diagnostic})
			return nil, notes
		}
		diag := strings.TrimSpace(cls.Status + " " + cls.Diagnostic)
		return &store.Effect{Kind: cls.Kind, Note: fmt.Sprintf("bounced (%s): %s", strings.Join(cls.FailedRecipients, ", "), diag)}, notes
	case lifecycle.KindAutoReply:
		if len(cls.RedirectTo) > 0 {
			notes = append(notes, store.Event{Kind: "redirect", Detail: "automatic reply asks us to write to " +
				strings.Join(cls.RedirectTo, ", ") + ": please check the address"})
		}
		return nil, notes
	case lifecycle.KindIdentity, lifecycle.KindRedirect:
		return nil, append(notes, quietNotes(cls)...) // nothing moves (notes.go)
	case lifecycle.KindAcknowledgement:
		return &store.Effect{Kind: cls.Kind}, notes
	case lifecycle.KindClarification, lifecycle.KindExtension:
		return &store.Effect{Kind: cls.Kind}, notes
	case lifecycle.KindFeeNotice:
		notes = append(notes, store.Event{Kind: "fee_notice", Detail: "fees notice: the clock is stopped until paid"})
		return nil, notes
	default:
		hint := ""
		if cls.Outcome != "" {
			hint = "; suggested outcome " + cls.Outcome
		}
		if len(cls.Sections) > 0 {
			hint += "; cites " + strings.Join(cls.Sections, ", ")
		}
		return &store.Effect{Kind: lifecycle.KindSubstantive, Note: "a reply to read and classify (foi mark)" + hint}, notes
	}
}

// StoreIndex answers Match's questions from a snapshot of the store, read
// once per pass: every question is a map lookup, whatever the size of the
// campaign. learn keeps it up to date as the pass files replies.
type StoreIndex struct {
	ids      map[string]string
	refs     map[string]string // ref -> recipient address
	states   map[string]lifecycle.State
	authRefs map[string]string // normalised authority reference -> ref
	hasAuth  map[string]bool   // refs whose authority reference is known
	slugs    map[string]bool
	senders  map[string]bool
	domains  map[string]bool
	// openTo and openAt: the open requests by recipient address and by
	// its domain; sentTo: every request by recipient address.
	openTo, openAt map[string]map[string]bool
	sentTo         map[string][]string
	secret         string
}

// NewIndex builds the matching index from the store's data.
func NewIndex(d store.IndexData, plusSecret string) *StoreIndex {
	x := &StoreIndex{ids: map[string]string{}, refs: d.Refs, states: d.States, authRefs: map[string]string{}, hasAuth: map[string]bool{},
		slugs: map[string]bool{}, senders: map[string]bool{}, domains: map[string]bool{},
		openTo: map[string]map[string]bool{}, openAt: map[string]map[string]bool{}, sentTo: map[string][]string{}, secret: plusSecret}
	if x.states == nil {
		x.states = map[string]lifecycle.State{}
	}
	for ref, to := range d.Refs {
		if i := strings.LastIndexByte(ref, '-'); i > 0 {
			x.slugs[strings.ToUpper(ref[:i])] = true
		}
		x.sentTo[to] = append(x.sentTo[to], ref)
	}
	for ref, to := range d.Open {
		x.setOpen(ref, to, true)
	}
	for id, ref := range d.OurMessageIDs {
		x.ids[strings.ToLower(id)] = ref
	}
	for a, ref := range d.AuthorityRefs {
		x.authRefs[normRef(a)] = ref
		x.hasAuth[ref] = true
	}
	for _, e := range d.AuthorityEmails {
		x.senders[e] = true
		if _, dom, ok := strings.Cut(e, "@"); ok {
			x.domains[dom] = true
		}
	}
	return x
}

func (x *StoreIndex) setOpen(ref, to string, open bool) {
	_, dom, _ := strings.Cut(to, "@")
	for _, k := range []struct {
		m   map[string]map[string]bool
		key string
	}{{x.openTo, to}, {x.openAt, dom}} {
		if open {
			if k.m[k.key] == nil {
				k.m[k.key] = map[string]bool{}
			}
			k.m[k.key][ref] = true
		} else {
			delete(k.m[k.key], ref)
		}
	}
}

// learn records what filing in teaches the index, as the store's
// transaction will: the authority's reference, if the request had none,
// and the request's move (lifecycle.OnReply).
func (x *StoreIndex) learn(in store.Incoming) {
	ref := in.Ref
	if ref == "" {
		return
	}
	if in.AuthorityRef != "" && !x.hasAuth[ref] {
		x.authRefs[normRef(in.AuthorityRef)] = ref
		x.hasAuth[ref] = true
	}
	if in.Effect == nil {
		return
	}
	if mv, ok := lifecycle.OnReply(in.Effect.Kind, x.states[ref]); ok {
		x.states[ref] = mv.To
		x.setOpen(ref, x.refs[ref], mv.To.MayReply())
	}
}

func normRef(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// RefByMessageID implements Index.
func (x *StoreIndex) RefByMessageID(id string) (string, bool) {
	ref, ok := x.ids[strings.ToLower(strings.Trim(strings.TrimSpace(id), "<>"))]
	return ref, ok
}

// RefByPlusTag implements Index.
func (x *StoreIndex) RefByPlusTag(tag string) (string, bool) {
	if x.secret == "" {
		return "", false
	}
	ref, ok := campaign.CheckPlusTag(x.secret, tag)
	if !ok || !x.IsRef(ref) {
		return "", false
	}
	return ref, true
}

// IsRef implements Index.
func (x *StoreIndex) IsRef(ref string) bool { _, ok := x.refs[strings.ToUpper(ref)]; return ok }

// IsSlug implements Index.
func (x *StoreIndex) IsSlug(slug string) bool { return x.slugs[strings.ToUpper(slug)] }

// RefByAuthorityRef implements Index.
func (x *StoreIndex) RefByAuthorityRef(a string) (string, bool) {
	ref, ok := x.authRefs[normRef(a)]
	return ref, ok
}

// OpenRefsBySender implements Index.
func (x *StoreIndex) OpenRefsBySender(address string) []string {
	return keys(x.openTo[strings.ToLower(address)])
}

// OpenRefsByDomain implements Index.
func (x *StoreIndex) OpenRefsByDomain(domain string) []string {
	return keys(x.openAt[strings.ToLower(domain)])
}

// IsAuthoritySender implements Index.
func (x *StoreIndex) IsAuthoritySender(address string) bool {
	address = strings.ToLower(address)
	_, dom, _ := strings.Cut(address, "@")
	return x.senders[address] || (dom != "" && x.domains[dom])
}

// refByRecipient finds the one request whose letter went to one of these
// addresses (a bounce's failed recipients).
func (x *StoreIndex) refByRecipient(addrs []string) (string, bool) {
	var found []string
	for _, a := range addrs {
		found = append(found, x.sentTo[strings.ToLower(strings.Trim(a, "<> "))]...)
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

func keys(set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
