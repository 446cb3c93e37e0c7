package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The dashboard's people: volunteers with a name and a password, the
// sessions of their browsers, and the count of wrong passwords that slows
// guessing down. The name of whoever acts is what the event log records
// (WithActor).

// Volunteer is a person who may use the dashboard.
type Volunteer struct {
	ID        int64     `json:"-"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Session is one browser's login.
type Session struct {
	// Name is the volunteer's, or the local user's on a loopback dashboard
	// without accounts.
	Name string
	// Volunteer is 0 for the local user.
	Volunteer int64
	CSRF      string
	ExpiresAt time.Time
}

// Errors of logging in.
var (
	ErrBadPassword = errors.New("store: wrong name or password")
)

// ThrottledError is a login refused without looking at the password,
// because too many wrong ones came before it.
type ThrottledError struct {
	Name string
	Wait time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many wrong passwords for %q: try again in %s", e.Name, e.Wait.Round(time.Second))
}

// Login throttling: the first FreeLoginFailures wrong passwords in a row
// cost nothing; after that each attempt must wait twice as long as the last
// (1 s, 2 s, 4 s, ...) up to MaxLoginDelay. A right password clears the
// count. (NCSC password guidance, "throttle rather than lock out": a
// lockout lets anyone shut a volunteer out, a growing delay makes guessing
// hopeless all the same.)
const (
	FreeLoginFailures = 5
	MaxLoginDelay     = 15 * time.Minute
)

// LoginDelay is how long after the last wrong password the next attempt
// must wait, after failures wrong ones in a row.
func LoginDelay(failures int) time.Duration {
	if failures < FreeLoginFailures {
		return 0
	}
	n := failures - FreeLoginFailures
	if n > 20 {
		return MaxLoginDelay
	}
	d := time.Second << n
	if d > MaxLoginDelay {
		return MaxLoginDelay
	}
	return d
}

// argon2id parameters: RFC 9106 section 4, the second recommended option
// (64 MiB, 3 passes, 4 lanes), a 16-byte salt and a 32-byte tag.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 4
	argonKeyLen  = 32
)

// reservedNames are actors the event log uses already: foi itself and the
// user of the command line.
var reservedNames = map[string]bool{"foi": true, "user": true, "you": true}

// CheckVolunteerName says what is wrong with a volunteer's name: it must be
// one line of 1 to 64 printable characters, not one the event log uses for
// foi itself or the command line.
func CheckVolunteerName(name string) error {
	switch {
	case name == "" || strings.TrimSpace(name) != name:
		return fmt.Errorf("volunteer name %q: must not be empty or start or end with a space", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("volunteer name %q: is not UTF-8 text", name)
	case utf8.RuneCountInString(name) > 64:
		return fmt.Errorf("volunteer name %q: longer than 64 characters", name)
	case reservedNames[strings.ToLower(name)]:
		return fmt.Errorf("volunteer name %q: is reserved (the event log uses it for foi or the command line); choose another", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("volunteer name %q: has a control character", name)
		}
	}
	return nil
}

// hashPassword encodes password with a new salt as a PHC string.
func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// passwordMatches checks password against a PHC string of hashPassword,
// with the parameters the string gives, in constant time.
func passwordMatches(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// AddVolunteer adds a volunteer with a password (at least 10 characters).
// ErrExists if the name is taken, in any case.
func (s *Store) AddVolunteer(ctx context.Context, name, password string, now time.Time) error {
	if err := CheckVolunteerName(name); err != nil {
		return err
	}
	if utf8.RuneCountInString(password) < 10 {
		return fmt.Errorf("the password for %s is too short: use at least 10 characters (a few words are easy to remember)", name)
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO volunteers (name, password_hash, created_at) VALUES (?, ?, ?)`, name, hash, formatTime(now))
	if isDuplicate(err) {
		return fmt.Errorf("volunteer %s: %w", name, ErrExists)
	}
	return err
}

// Volunteers lists the volunteers by name.
func (s *Store) Volunteers(ctx context.Context) ([]Volunteer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at FROM volunteers ORDER BY name COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Volunteer
	for rows.Next() {
		var v Volunteer
		var at sql.NullString
		if err := rows.Scan(&v.ID, &v.Name, &at); err != nil {
			return nil, err
		}
		v.CreatedAt = parseTime(at)
		list = append(list, v)
	}
	return list, rows.Err()
}

// RemoveVolunteer removes a volunteer and ends their sessions; what they
// did stays in the event log under their name. ErrNotFound if there is no
// such volunteer.
func (s *Store) RemoveVolunteer(ctx context.Context, name string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM volunteers WHERE name = ?`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("volunteer %s: %w", name, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE volunteer_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM volunteers WHERE id = ?`, id)
		return err
	})
}

// dummyHash is checked against for a name that is not a volunteer, so that
// a wrong name takes as long as a wrong password.
var dummyHash = "$argon2id$v=19$m=65536,t=3,p=4$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// Login checks a volunteer's password at now. Too many wrong ones in a row
// for the name give a *ThrottledError without the password being looked
// at; a wrong name or password gives ErrBadPassword and counts; a right
// one clears the count.
func (s *Store) Login(ctx context.Context, name, password string, now time.Time) (Volunteer, error) {
	var failures int
	var last sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT failures, last_at FROM login_failures WHERE name = ?`, name).Scan(&failures, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Volunteer{}, err
	}
	if wait := parseTime(last).Add(LoginDelay(failures)).Sub(now); failures > 0 && wait > 0 {
		return Volunteer{}, &ThrottledError{Name: name, Wait: wait}
	}
	var v Volunteer
	var hash string
	var at sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT id, name, password_hash, created_at FROM volunteers WHERE name = ?`, name).Scan(&v.ID, &v.Name, &hash, &at)
	if errors.Is(err, sql.ErrNoRows) {
		hash = dummyHash
	} else if err != nil {
		return Volunteer{}, err
	}
	if !passwordMatches(hash, password) || v.ID == 0 {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO login_failures (name, failures, last_at) VALUES (?, 1, ?)
			ON CONFLICT (name) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at`, name, formatTime(now)); err != nil {
			return Volunteer{}, err
		}
		return Volunteer{}, ErrBadPassword
	}
	v.CreatedAt = parseTime(at)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE name = ?`, name); err != nil {
		return Volunteer{}, err
	}
	return v, nil
}

// LoginFailures is the count of wrong passwords in a row for name.
func (s *Store) LoginFailures(ctx context.Context, name string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT failures FROM login_failures WHERE name = ?`, name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenSum(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSession starts a session for a volunteer (or, with volunteer 0, for
// the local user called name) lasting ttl, and returns the cookie's token.
// Expired sessions are removed on the way.
func (s *Store) NewSession(ctx context.Context, volunteer int64, name string, ttl time.Duration, now time.Time) (token string, sess Session, err error) {
	if token, err = randomToken(); err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	var vol any
	if volunteer != 0 {
		vol = volunteer
	}
	sess = Session{Name: name, Volunteer: volunteer, CSRF: csrf, ExpiresAt: now.Add(ttl)}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, formatTime(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO web_sessions (token_sha256, volunteer_id, name, csrf, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, tokenSum(token), vol, name, csrf, formatTime(now), formatTime(sess.ExpiresAt))
		return err
	})
	return token, sess, err
}

// SessionOf is the live session of a cookie's token at now: ErrNotFound if
// there is none, it has expired, or its volunteer was removed.
func (s *Store) SessionOf(ctx context.Context, token string, now time.Time) (Session, error) {
	var sess Session
	var vol sql.NullInt64
	var exp sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT volunteer_id, name, csrf, expires_at FROM web_sessions WHERE token_sha256 = ?`,
		tokenSum(token)).Scan(&vol, &sess.Name, &sess.CSRF, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, err
	}
	sess.Volunteer, sess.ExpiresAt = vol.Int64, parseTime(exp)
	if !sess.ExpiresAt.After(now) {
		return Session{}, fmt.Errorf("session expired: %w", ErrNotFound)
	}
	return sess, nil
}

// EndSession logs a cookie's token out.
func (s *Store) EndSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE token_sha256 = ?`, tokenSum(token))
	return err
}

type actorKey struct{}

// WithActor names the person on whose behalf the store is called: the
// events of what a person does (a state marked, a draft approved or
// discarded, a letter in doubt resent or marked sent, a reply filed by
// hand) record this name. Without it they record "user", the person at the
// command line.
func WithActor(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, actorKey{}, name)
}

// actorOf is the person named by WithActor, or "user".
func actorOf(ctx context.Context) string {
	if name, ok := ctx.Value(actorKey{}).(string); ok && name != "" {
		return name
	}
	return "user"
}

// byWhom is " by NAME" for a person named by WithActor, else "".
func byWhom(ctx context.Context) string {
	if name, ok := ctx.Value(actorKey{}).(string); ok && name != "" {
		return " by " + name
	}
	return ""
}

// AttachmentByID is one stored file by its number (the dashboard serves
// files by number only, never by a path from a request).
func (s *Store) AttachmentByID(ctx context.Context, id int64) (Attachment, error) {
	var a Attachment
	err := s.db.QueryRowContext(ctx, `SELECT id, message_id, seq, coalesce(parent_seq, 0), name, content_type, size,
		sha256, source FROM attachments WHERE id = ?`, id).Scan(&a.ID, &a.MessageID, &a.Seq, &a.ParentSeq, &a.Name,
		&a.ContentType, &a.Size, &a.SHA256, &a.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("attachment %d: %w", id, ErrNotFound)
	}
	return a, err
}

// Changes is a number that grows whenever something is recorded (an event,
// a message, an outbox change): the dashboard's open pages watch it to
// show what is new without a reload by hand.
func (s *Store) Changes(ctx context.Context) (string, error) {
	var ev, msg int64
	var ob sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(id), 0) FROM events), (SELECT coalesce(max(id), 0) FROM messages),
		(SELECT max(updated_at) FROM outbox)`).Scan(&ev, &msg, &ob)
	return fmt.Sprintf("%d.%d.%s", ev, msg, ob.String), err
}
