// Package campaign turns a letter and a list of authorities into requests:
// it reads authorities files, selects authorities (all, tag:X, or names),
// creates a campaign with one request per authority and a stable reference
// SLUG-NNN, writes each request's first letter, and queues letters for the
// outbox. It decides nothing about delivery (package mailer does) and keeps
// no state of its own: everything lives in the store.
package campaign

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"foi/calendar"
	"foi/lifecycle"
	"foi/mailer"
	"foi/store"
	"foi/templates"
	"foi/textsafe"
)

// London is the time zone every UK date is counted in.
func London() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		// The zone database is embedded by cmd/foi (time/tzdata), so
		// this cannot happen in the program; fall back rather than panic.
		return time.UTC
	}
	return loc
}

var slugPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,15}$`)

// Spec is what `foi campaign new` is given.
type Spec struct {
	Slug       string
	Title      string
	LetterName string
	Letter     string
	Selector   string
	// Law overrides the authorities' own jurisdiction, e.g. eir for an
	// environmental request; empty keeps each authority's.
	Law string
	// Schedule overrides foi.yaml's step modes for this campaign.
	Schedule lifecycle.Modes
}

// Requester is who the campaign's letters are from.
type Requester struct {
	Name         string
	Organisation string
	Email        string
}

// Env is what writing letters needs besides the campaign and request.
type Env struct {
	// PlusSecret, if set, gives each request a Reply-To of the form
	// user+ref-<tag>@domain signed with it.
	PlusSecret string
	Now        time.Time
}

// Create validates everything, renders every letter once to prove it can,
// and stores the campaign with its requests in one transaction. On any error
// nothing is stored.
func Create(ctx context.Context, st *store.Store, spec Spec, who Requester, now time.Time, random io.Reader) (store.Campaign, error) {
	spec.Slug = strings.ToUpper(strings.TrimSpace(spec.Slug))
	if !slugPattern.MatchString(spec.Slug) {
		return store.Campaign{}, fmt.Errorf("campaign slug %q: use 2-16 letters and digits starting with a letter, e.g. LXP7", spec.Slug)
	}
	if strings.TrimSpace(spec.Title) == "" {
		return store.Campaign{}, errors.New("campaign title: required (--title)")
	}
	if strings.TrimSpace(who.Name) == "" {
		return store.Campaign{}, errors.New("requester.name is empty: a valid FOI request must state the applicant's name (FOIA s.8(1)(b))")
	}
	// The requester is frozen into the campaign: one that cannot stand in
	// a From line would make every letter unsendable.
	if err := checkRequester(who); err != nil {
		return store.Campaign{}, fmt.Errorf("%w; fix it in the config file", err)
	}
	if err := textsafe.CheckLine(spec.Title); err != nil {
		return store.Campaign{}, fmt.Errorf("campaign title %q %v", spec.Title, err)
	}
	if !utf8.ValidString(spec.Letter) {
		return store.Campaign{}, fmt.Errorf("template %s: %v", spec.LetterName, invalidUTF8(spec.Letter))
	}
	if spec.Law != "" && !validJurisdiction(spec.Law) {
		return store.Campaign{}, fmt.Errorf("--law %q is not one of %s", spec.Law, strings.Join(Jurisdictions, ", "))
	}
	if err := templates.Check(spec.LetterName, spec.Letter); err != nil {
		return store.Campaign{}, err
	}
	all, err := st.Authorities(ctx)
	if err != nil {
		return store.Campaign{}, err
	}
	// References follow the order the user gave (issue 14, finding 8): the
	// CSV's, which is the order of import, for all and tag:X; the
	// selector's own for a list of names (Select keeps it).
	slices.SortFunc(all, func(a, b store.Authority) int { return cmp.Compare(a.ID, b.ID) })
	chosen, err := Select(all, spec.Selector)
	if err != nil {
		return store.Campaign{}, err
	}
	_, domain, _ := strings.Cut(who.Email, "@")
	c := store.Campaign{
		Slug: spec.Slug, Title: strings.TrimSpace(spec.Title), LetterName: spec.LetterName, Letter: spec.Letter,
		Selector: spec.Selector, Law: spec.Law, Schedule: spec.Schedule,
		RequesterName: who.Name, RequesterOrg: who.Organisation, RequesterEmail: who.Email,
	}
	var reqs []store.NewRequest
	for i, a := range chosen {
		ref := fmt.Sprintf("%s-%03d", c.Slug, i+1)
		id, err := NewMessageID(random, ref, domain)
		if err != nil {
			return store.Campaign{}, err
		}
		r := store.Request{Campaign: c.Slug, Ref: ref, Seq: i + 1, Authority: a, ToAddress: a.Email, MessageID: id}
		if _, err := FirstLetter(c, r, Env{Now: now}); err != nil {
			return store.Campaign{}, fmt.Errorf("%w (writing to %s)", err, a.Name)
		}
		reqs = append(reqs, store.NewRequest{AuthorityID: a.ID, Seq: i + 1, Ref: ref, ToAddress: a.Email, MessageID: id})
	}
	if _, err := st.CreateCampaign(ctx, c, reqs, now); err != nil {
		return store.Campaign{}, err
	}
	return st.Campaign(ctx, c.Slug)
}

// checkRequester reports a requester field that cannot stand as one line
// of a letter's From line and signature (textsafe.CheckLine), by its
// config key.
func checkRequester(who Requester) error {
	for _, f := range []struct{ key, value string }{{"requester.name", who.Name}, {"requester.organisation", who.Organisation}, {"requester.email", who.Email}} {
		if err := textsafe.CheckLine(f.value); err != nil {
			return fmt.Errorf("%s %q %v", f.key, f.value, err)
		}
	}
	return nil
}

// invalidUTF8 says where s stops being UTF-8, by line and byte.
func invalidUTF8(s string) error {
	line, start := 1, 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Errorf("line %d, byte %d: not valid UTF-8; save the file as UTF-8", line, i-start+1)
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += n
	}
	return nil
}

// Select picks authorities: "all", "tag:X" (several tags: "tag:X,tag:Y",
// any of them), or a comma-separated list of names (each must exist).
// The result keeps the order the user gave, which fixes the references:
// the order of all for all and tag:X (Create passes the CSV's), the
// selector's for names.
func Select(all []store.Authority, selector string) ([]store.Authority, error) {
	selector = strings.TrimSpace(selector)
	if selector == "" {
		return nil, errors.New("--authorities: required: all, tag:X, or a comma-separated list of names")
	}
	var out []store.Authority
	if selector == "all" {
		out = append(out, all...)
	} else if strings.HasPrefix(selector, "tag:") {
		var tags []string
		for _, part := range strings.Split(selector, ",") {
			t, ok := strings.CutPrefix(strings.TrimSpace(part), "tag:")
			if !ok || t == "" {
				return nil, fmt.Errorf("--authorities %q: mix of tags and names; use tag:X,tag:Y or names only", selector)
			}
			tags = append(tags, t)
		}
		for _, a := range all {
			for _, t := range tags {
				if a.HasTag(t) {
					out = append(out, a)
					break
				}
			}
		}
	} else {
		byName := map[string]store.Authority{}
		for _, a := range all {
			byName[strings.ToLower(a.Name)] = a
			if a.ShortName != "" {
				byName[strings.ToLower(a.ShortName)] = a
			}
		}
		var missing []string
		seen := map[int64]bool{}
		for _, n := range splitNames(selector) {
			a, ok := byName[strings.ToLower(n)]
			if !ok {
				missing = append(missing, fmt.Sprintf("%q", n))
				continue
			}
			if !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("--authorities: no authority named %s (see `foi authorities list`)", strings.Join(missing, ", "))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--authorities %q matches no authority (see `foi authorities list`)", selector)
	}
	return out, nil
}

// splitNames splits a comma list of names; a name that itself contains a
// comma can be given in double quotes.
func splitNames(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	out = append(out, strings.TrimSpace(cur.String()))
	return out
}

// NewMessageID makes a Message-ID (without angle brackets) for a letter of
// request ref: lower-case ref, a dot, 80 random bits, @ the sender's domain.
// The ref in it lets a reply be matched even when a mail client keeps only
// the References header.
func NewMessageID(random io.Reader, ref, domain string) (string, error) {
	b := make([]byte, 10)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("message-id for %s: %w", ref, err)
	}
	tag := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	if domain == "" {
		domain = "foi.invalid"
	}
	return strings.ToLower(ref) + "." + tag + "@" + domain, nil
}

// Subject is the subject of every letter of a request (SPEC section 4).
func Subject(ref, title, authorityRef string) string {
	s := fmt.Sprintf("Freedom of Information request [%s]: %s", ref, title)
	if authorityRef != "" {
		s += " (your ref " + authorityRef + ")"
	}
	return s
}

// FollowUpSubject is the subject of a later letter of a request, written
// from the named template: it says what the letter is, and keeps the
// reference in brackets (replies are matched by it) and the authority's own
// reference once known (SPEC section 4). A letter to a Commissioner calls
// that reference the authority's, not "your". Any other template, our
// answer to a request for clarification included, is a reply: "Re: " and
// the request's subject (a subject saying "Clarification" would read, to a
// person or a filter, as the authority's question rather than our answer).
func FollowUpSubject(template, ref, title, authorityRef string) string {
	var kind, theirs string
	switch template {
	case "first_chaser":
		return "Chaser: " + Subject(ref, title, authorityRef)
	case "final_chaser":
		return "Final chaser: " + Subject(ref, title, authorityRef)
	case "review_on_silence", "review_after_refusal", "foisa_review":
		kind, theirs = "Internal review request", "your ref"
	case "ico_complaint":
		kind, theirs = "Complaint to the Information Commissioner", "authority's ref"
	case "sic_appeal":
		kind, theirs = "Application to the Scottish Information Commissioner", "authority's ref"
	default:
		return "Re: " + Subject(ref, title, authorityRef)
	}
	s := fmt.Sprintf("%s [%s]: %s", kind, ref, title)
	if authorityRef != "" {
		s += " (" + theirs + " " + authorityRef + ")"
	}
	return s
}

// PlusTag is the signed tag of a per-request reply address:
// lower-case ref, '-', 8 hex digits of HMAC-SHA256(secret, ref).
func PlusTag(secret, ref string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.ToLower(ref)))
	return strings.ToLower(ref) + "-" + hex.EncodeToString(m.Sum(nil))[:8]
}

// CheckPlusTag returns the reference a tag was made for, if its signature
// is right.
func CheckPlusTag(secret, tag string) (string, bool) {
	tag = strings.ToLower(tag)
	i := strings.LastIndex(tag, "-")
	if i <= 0 {
		return "", false
	}
	ref := tag[:i]
	if !hmac.Equal([]byte(PlusTag(secret, ref)), []byte(tag)) {
		return "", false
	}
	return strings.ToUpper(ref), true
}

// PlusAddress inserts a tag into an address: user+tag@domain.
func PlusAddress(addr, tag string) string {
	user, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	if i := strings.Index(user, "+"); i >= 0 {
		user = user[:i]
	}
	return user + "+" + tag + "@" + domain
}

// Data is the template data of a request's letters. The request's law is
// the store's (the campaign's if it sets one, else the authority's
// jurisdiction); a request not stored yet, whose first letter Create writes
// to prove it renders, takes it from the campaign and authority the same way.
// Extended is read from the state: callers that know the request's history
// (the scheduler) may know better.
func Data(c store.Campaign, r store.Request, now time.Time) templates.Data {
	loc := London()
	day := now.In(loc)
	law := r.Law
	if law == "" {
		law = c.Law
	}
	if law == "" {
		law = r.Authority.Jurisdiction
	}
	law = strings.ToLower(strings.TrimSpace(law))
	d := templates.Data{
		Authority: templates.Authority{
			Name: r.Authority.Name, ShortName: r.Authority.ShortName, Email: r.ToAddress,
			Jurisdiction: r.Authority.Jurisdiction, Tags: r.Authority.Tags,
		},
		Request: templates.Request{Ref: r.Ref, Title: c.Title, Law: law, AuthorityRef: r.AuthorityRef,
			// FOISA allows no extension (deadline.Input.Extended).
			Extended: r.State == lifecycle.Extended && calendar.Law(law) != calendar.FOISA},
		Campaign:  templates.Campaign{Slug: c.Slug, Title: c.Title},
		Requester: templates.Requester{Name: c.RequesterName, Organisation: c.RequesterOrg, Email: c.RequesterEmail},
		Today:     time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc),
	}
	if !r.SentAt.IsZero() {
		s := r.SentAt.In(loc)
		d.Request.SentOn = time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
	}
	return d
}

// FirstLetter writes a request's first letter, dated env.Now.
func FirstLetter(c store.Campaign, r store.Request, env Env) (mailer.Letter, error) {
	if strings.TrimSpace(c.RequesterName) == "" {
		return mailer.Letter{}, errors.New("requester name is empty: a valid FOI request must state the applicant's name (FOIA s.8(1)(b))")
	}
	body, err := templates.Render(c.LetterName, c.Letter, Data(c, r, env.Now))
	if err != nil {
		return mailer.Letter{}, err
	}
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	l := mailer.Letter{
		FromName: c.RequesterName, FromAddress: c.RequesterEmail, To: r.ToAddress,
		Subject: Subject(r.Ref, c.Title, r.AuthorityRef), Body: body,
		MessageID: r.MessageID, Date: env.Now.In(London()).Truncate(time.Second), Ref: r.Ref,
	}
	if env.PlusSecret != "" {
		l.ReplyTo = PlusAddress(c.RequesterEmail, PlusTag(env.PlusSecret, r.Ref))
	}
	return l, nil
}

// Queue writes and stores the first letter of each draft request of the
// campaign (at most limit if limit > 0): the raw bytes on disk first, then
// the message row and outbox entry in one transaction. It returns how many
// it queued. A request already queued is left alone, so a rerun never makes
// a second first letter.
func Queue(ctx context.Context, st *store.Store, slug string, env Env, limit int) (int, error) {
	c, err := st.Campaign(ctx, slug)
	if err != nil {
		return 0, err
	}
	// A campaign made before Create checked the requester may hold one no
	// letter can be sent with: say so, rather than fail at its first letter.
	if err := checkRequester(Requester{Name: c.RequesterName, Organisation: c.RequesterOrg, Email: c.RequesterEmail}); err != nil {
		return 0, fmt.Errorf("campaign %s: %w: the requester was frozen into the campaign when it was made, so none of its letters can be sent; "+
			"fix the requester in the config file (foi check-config), then make the campaign again under a new slug (foi campaign new)", c.Slug, err)
	}
	reqs, err := st.Requests(ctx, c.Slug)
	if err != nil {
		return 0, err
	}
	// The letters go in chunks: their bytes written with one flush to disk
	// (store.Blobs), their rows in one transaction (EnqueueBatch), not a
	// flush and a transaction each (issue 12).
	n := 0
	var chunk []mailer.Letter
	var chunkReqs []store.Request
	flush := func() error {
		k, err := enqueueChunk(ctx, st, chunkReqs, chunk, env.Now)
		n += k
		chunk, chunkReqs = chunk[:0], chunkReqs[:0]
		return err
	}
	for _, r := range reqs {
		if r.State != lifecycle.Draft {
			continue
		}
		if limit > 0 && n+len(chunk) >= limit {
			break
		}
		l, err := FirstLetter(c, r, env)
		if err != nil {
			if ferr := flush(); ferr != nil {
				return n, ferr
			}
			return n, fmt.Errorf("letter for %s: %w", r.Ref, err)
		}
		chunk, chunkReqs = append(chunk, l), append(chunkReqs, r)
		if len(chunk) == queueChunk {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// queueChunk is how many first letters Queue writes with one flush and
// one transaction.
const queueChunk = 500

// enqueueChunk stores a chunk of first letters: their bytes (rendered and
// written to temporary files on all cores, then flushed and renamed into
// place together), then their rows and outbox entries in one transaction.
// A letter already queued for its request is skipped. It returns how many
// were queued.
func enqueueChunk(ctx context.Context, st *store.Store, reqs []store.Request, letters []mailer.Letter, now time.Time) (int, error) {
	if len(letters) == 0 {
		return 0, nil
	}
	raws := make([][]byte, len(letters))
	errs := make([]error, len(letters))
	blobs := st.NewBlobs()
	defer blobs.Discard()
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(letters)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				raws[i], errs[i] = mailer.Render(letters[i])
				if errs[i] == nil {
					blobs.StageMail(raws[i])
				}
			}
		}()
	}
	for i := range letters {
		next <- i
	}
	close(next)
	wg.Wait()
	batch := make([]store.Enqueuing, len(letters))
	for i, l := range letters {
		if errs[i] != nil {
			return 0, fmt.Errorf("store letter %s: %w", reqs[i].Ref, errs[i])
		}
		sum, err := blobs.PutMail(raws[i])
		if err != nil {
			return 0, fmt.Errorf("store letter %s: %w", reqs[i].Ref, err)
		}
		m, js, err := letterRow(l, raws[i], sum)
		if err != nil {
			return 0, fmt.Errorf("store letter %s: %w", reqs[i].Ref, err)
		}
		batch[i] = store.Enqueuing{RequestID: reqs[i].ID, Queued: store.Queued{Step: lifecycle.StepLetter, Letter: js}, Message: m}
	}
	if err := blobs.Commit(); err != nil {
		return 0, err
	}
	_, refused, err := st.EnqueueBatch(ctx, batch, now)
	if err != nil {
		return 0, fmt.Errorf("queue %d letters: %w", len(batch), err)
	}
	n := 0
	for _, e := range refused {
		if e == nil {
			n++
		}
	}
	return n, nil
}

// Enqueue stores one letter for the outbox: its exact bytes on disk, then
// its row and outbox entry. q.Letter is filled in from l.
func Enqueue(ctx context.Context, st *store.Store, r store.Request, q store.Queued, l mailer.Letter, now time.Time) (int64, error) {
	m, js, err := StoreLetter(st, l)
	if err != nil {
		return 0, fmt.Errorf("store letter %s: %w", r.Ref, err)
	}
	q.Letter = js
	id, err := st.Enqueue(ctx, r.ID, q, m, now)
	if err != nil {
		return 0, fmt.Errorf("queue %s %s: %w", q.Step, r.Ref, err)
	}
	return id, nil
}

// StoreLetter writes a letter's exact bytes to the store and returns its
// message row and its fields as JSON.
func StoreLetter(st *store.Store, l mailer.Letter) (store.Message, string, error) {
	raw, err := mailer.Render(l)
	if err != nil {
		return store.Message{}, "", err
	}
	sum, err := st.PutMail(raw)
	if err != nil {
		return store.Message{}, "", err
	}
	return letterRow(l, raw, sum)
}

// letterRow is the message row and JSON fields of a letter whose bytes
// (raw) are stored under sum.
func letterRow(l mailer.Letter, raw []byte, sum string) (store.Message, string, error) {
	js, err := json.Marshal(l)
	if err != nil {
		return store.Message{}, "", err
	}
	return store.Message{
		MessageID: l.MessageID, SHA256: sum, Size: int64(len(raw)), Subject: l.Subject,
		From: l.FromAddress, To: l.To, Date: l.Date, InReplyTo: l.InReplyTo,
		Refs: strings.Join(l.References, " "), BodyText: l.Body,
	}, string(js), nil
}
