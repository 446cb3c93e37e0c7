package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestVolunteers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t, t.TempDir())
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := st.AddVolunteer(ctx, "Asha", "correct horse battery", now); err != nil {
		t.Fatal(err)
	}
	if err := st.AddVolunteer(ctx, "asha", "another long one", now); !errors.Is(err, ErrExists) {
		t.Errorf("AddVolunteer(asha) again = %v, want ErrExists", err)
	}
	for _, bad := range []string{"", " Asha", "foi", "User", "a\x07b"} {
		if err := st.AddVolunteer(ctx, bad, "correct horse battery", now); err == nil {
			t.Errorf("AddVolunteer(%q) = nil, want a refusal", bad)
		}
	}
	if err := st.AddVolunteer(ctx, "Ben", "short", now); err == nil {
		t.Errorf("AddVolunteer with a 5-character password = nil, want a refusal")
	}
	v, err := st.Login(ctx, "ASHA", "correct horse battery", now)
	if err != nil || v.Name != "Asha" {
		t.Fatalf("Login = %+v, %v; want Asha", v, err)
	}
	if _, err := st.Login(ctx, "Asha", "wrong horse battery", now); !errors.Is(err, ErrBadPassword) {
		t.Errorf("Login with a wrong password = %v, want ErrBadPassword", err)
	}
	if _, err := st.Login(ctx, "Nobody", "correct horse battery", now); !errors.Is(err, ErrBadPassword) {
		t.Errorf("Login of an unknown name = %v, want ErrBadPassword", err)
	}
	tok, sess, err := st.NewSession(ctx, v.ID, v.Name, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.SessionOf(ctx, tok, now.Add(time.Minute))
	if err != nil || got.Name != "Asha" || got.CSRF != sess.CSRF || got.CSRF == "" {
		t.Errorf("SessionOf = %+v, %v; want Asha's with CSRF %q", got, err, sess.CSRF)
	}
	if _, err := st.SessionOf(ctx, tok, now.Add(2*time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Errorf("SessionOf after expiry = %v, want ErrNotFound", err)
	}
	if err := st.RemoveVolunteer(ctx, "asha"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionOf(ctx, tok, now.Add(time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("SessionOf after removing the volunteer = %v, want ErrNotFound", err)
	}
	if err := st.RemoveVolunteer(ctx, "asha"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveVolunteer twice = %v, want ErrNotFound", err)
	}
	list, err := st.Volunteers(ctx)
	if err != nil || len(list) != 0 {
		t.Errorf("Volunteers = %v, %v; want none", list, err)
	}
}

// Wrong passwords cost nothing at first, then each attempt waits twice as
// long, up to MaxLoginDelay; while it waits the password is not even
// checked, so the right one is refused too.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t, t.TempDir())
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := st.AddVolunteer(ctx, "Asha", "correct horse battery", now); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 20; i++ {
		_, err := st.Login(ctx, "Asha", "guess", now)
		if !errors.Is(err, ErrBadPassword) {
			t.Fatalf("attempt %d at %s = %v, want ErrBadPassword", i, now, err)
		}
		if d := LoginDelay(i); d > 0 {
			var th *ThrottledError
			if _, err := st.Login(ctx, "Asha", "correct horse battery", now.Add(d-time.Millisecond)); !errors.As(err, &th) {
				t.Fatalf("right password %s after wrong one %d = %v, want throttled", d-time.Millisecond, i, err)
			}
		}
		now = now.Add(LoginDelay(i))
	}
	if d := LoginDelay(20); d != MaxLoginDelay {
		t.Errorf("LoginDelay(20) = %s, want %s", d, MaxLoginDelay)
	}
	if d := LoginDelay(5); d != time.Second {
		t.Errorf("LoginDelay(5) = %s, want 1s", d)
	}
	if _, err := st.Login(ctx, "Asha", "correct horse battery", now); err != nil {
		t.Fatalf("right password once the delay is over = %v", err)
	}
	if n, _ := st.LoginFailures(ctx, "Asha"); n != 0 {
		t.Errorf("failures after a right password = %d, want 0", n)
	}
}

func TestActorRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if got := actorOf(ctx); got != "user" {
		t.Errorf("actorOf(no actor) = %q, want user", got)
	}
	if got := actorOf(WithActor(ctx, "Asha")); got != "Asha" {
		t.Errorf("actorOf(Asha) = %q", got)
	}
}
