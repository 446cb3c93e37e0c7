package inbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
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

// Process files one message. raw is the whole message, or only its header
// when oversize is set (the message was larger than the size limit). It
// returns an error only when storing failed; a message that cannot be parsed
// is stored raw and flagged.
func (p *Processor) Process(ctx context.Context, raw []byte, folder string, uid uint32, oversize bool) (Outcome, error) {
	h := sha256.Sum256(raw)
	sum := hex.EncodeToString(h[:])
	if dup, err := p.Store.IncomingExists(ctx, sum); err != nil || dup {
		return Outcome{Dup: dup}, err
	}
	var m *Message
	var perr error
	if oversize {
		m, perr = ParseHeader(bytes.NewReader(raw))
		if m != nil {
			m.Flags = append(m.Flags, Flag{Code: "oversize", Detail: "larger than imap.max_message_size: only the header was kept", Severe: true})
		}
	} else {
		m, perr = Parse(raw)
	}
	if m == nil {
		m = &Message{}
	}
	unreadable := perr != nil
	if unreadable {
		m.Flags = append(m.Flags, Flag{Code: "unparsable", Detail: perr.Error(), Severe: true})
	}
	// The same bytes were a duplicate above; the same Message-ID with other
	// bytes is another message from a system that reuses IDs. Keep it.
	if n, err := p.Store.ReceivedWithMessageID(ctx, m.MessageID); err != nil {
		return Outcome{}, err
	} else if n > 0 {
		m.Flags = append(m.Flags, Flag{Code: "reused-message-id", Severe: true,
			Detail: fmt.Sprintf("%d earlier message(s) with Message-ID <%s> and different content: kept as a new message", n, cleanLine(m.MessageID, 200))})
	}
	data, err := p.Store.Index(ctx)
	if err != nil {
		return Outcome{}, err
	}
	idx := NewIndex(data, p.PlusSecret)
	res := Match(m, idx)
	cls := Classify(m)
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
	if !take && unreadable {
		take, why = true, "could not be parsed: kept raw for a look"
	}
	out := Outcome{Taken: take, Ref: res.Ref, Rule: string(res.Rule), Kind: cls.Kind, Why: why}
	log := p.log().With("folder", folder, "uid", uid, "message_id", m.MessageID)
	if !take {
		log.Debug("not ours: left in the mailbox", "from", m.From.Addr, "subject", m.Subject)
		return out, nil
	}
	if _, err := p.Store.PutMail(raw); err != nil {
		return Outcome{}, fmt.Errorf("store message: %w", err)
	}
	in, err := p.incoming(m, raw, sum, res, cls)
	if err != nil {
		return Outcome{}, err
	}
	in.Folder, in.UID, in.ReceivedAt = folder, uid, p.now()
	id, dup, err := p.Store.SaveIncoming(ctx, in, p.now())
	if err != nil {
		return Outcome{}, err
	}
	out.ID, out.Dup = id, dup
	if res.Ref == "" {
		log.Info("reply kept as unmatched: file it with foi assign", "id", id, "from", m.From.Addr, "subject", cleanLine(m.Subject, 120))
	} else {
		log.Info("reply filed", "ref", res.Ref, "campaign", campaign.SlugOf(res.Ref), "rule", res.Rule, "kind", cls.Kind)
	}
	return out, nil
}

// incoming turns the parsed, matched and classified message into rows, and
// writes its attachments to the file store.
func (p *Processor) incoming(m *Message, raw []byte, sum string, res MatchResult, cls Classification) (store.Incoming, error) {
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
		MatchEvidence: res.Evidence, AuthorityRef: res.AuthorityRef,
	}
	for _, a := range m.Attachments {
		fileSum, err := p.Store.PutFile(a.Data)
		if err != nil {
			return in, fmt.Errorf("store attachment %q: %w", a.Name, err)
		}
		if fileSum != a.SHA256 {
			return in, fmt.Errorf("attachment %q: stored hash %s differs from parsed %s", a.Name, fileSum, a.SHA256)
		}
		parent := 0
		if a.Parent >= 0 {
			parent = a.Parent + 1
		}
		in.Attachments = append(in.Attachments, store.Attachment{
			Seq: a.Index, ParentSeq: parent, Name: a.Name, ContentType: a.ContentType,
			Size: int64(a.Size), SHA256: fileSum, Source: string(a.Source),
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

// StoreIndex answers Match's questions from a snapshot of the store.
type StoreIndex struct {
	ids      map[string]string
	refs     map[string]string
	open     map[string]string
	authRefs map[string]string
	slugs    map[string]bool
	senders  map[string]bool
	domains  map[string]bool
	secret   string
}

// NewIndex builds the matching index from the store's data.
func NewIndex(d store.IndexData, plusSecret string) *StoreIndex {
	x := &StoreIndex{ids: map[string]string{}, refs: d.Refs, open: d.Open, authRefs: map[string]string{},
		slugs: map[string]bool{}, senders: map[string]bool{}, domains: map[string]bool{}, secret: plusSecret}
	for ref := range d.Refs {
		if i := strings.LastIndexByte(ref, '-'); i > 0 {
			x.slugs[strings.ToUpper(ref[:i])] = true
		}
	}
	for id, ref := range d.OurMessageIDs {
		x.ids[strings.ToLower(id)] = ref
	}
	for a, ref := range d.AuthorityRefs {
		x.authRefs[normRef(a)] = ref
	}
	for _, e := range d.AuthorityEmails {
		x.senders[e] = true
		if _, dom, ok := strings.Cut(e, "@"); ok {
			x.domains[dom] = true
		}
	}
	return x
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
	address = strings.ToLower(address)
	var out []string
	for ref, to := range x.open {
		if to == address {
			out = append(out, ref)
		}
	}
	return sorted(out)
}

// OpenRefsByDomain implements Index.
func (x *StoreIndex) OpenRefsByDomain(domain string) []string {
	domain = strings.ToLower(domain)
	var out []string
	for ref, to := range x.open {
		if _, d, _ := strings.Cut(to, "@"); d == domain {
			out = append(out, ref)
		}
	}
	return sorted(out)
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
		a = strings.ToLower(strings.Trim(a, "<> "))
		for ref, to := range x.refs {
			if to == a {
				found = append(found, ref)
			}
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
