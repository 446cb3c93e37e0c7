// Package mailer composes letters into exact bytes and sends them.
//
// Compose and Render turn a Letter (every field fixed, Message-ID and Date
// included) into a go-mail message and its bytes, the same every time. SMTP
// is one reusable session with the TLS and authentication policy of the
// configuration; its Send returns at the server's 250 to the data, saying
// nothing more for that letter, so that the send is recorded before
// anything else can fail. classify (fault.go) is the one place where a sending error
// is judged: only a 5xx reply to a letter's own RCPT TO or DATA fails the
// letter (Refused), a 4xx there defers it (Deferred), a network failure is
// temporary (Unavailable) or, after the data, in doubt (InDoubt), and
// anything else — a missing secret, TLS, DNS, AUTH, a 5xx to MAIL FROM, a
// local error — is a fault of ours that stops sending with every letter
// left waiting (Blocked; Drain returns a *BlockedError saying what to fix).
//
// Outbox drains the store's outbox: it settles letters in doubt (a crash
// while sending, no reply to the data) through the Sent folder and holds
// those it cannot prove sent for a person (foi resend, foi mark-sent),
// never resending them itself; it asks the Guard, connects, claims each
// letter by dating it at the moment it goes and storing those exact bytes,
// sends, records, copies to the Sent folder and retries with backoff, so
// that a letter is sent at most once (README: "Never twice") and what is
// sent is what is stored. See Outbox for the steps.
//
// It does not decide what to send or when (packages campaign and schedule
// do) and it does not read replies (package inbox does). Its types are not
// safe for concurrent use; one goroutine drains the outbox.
package mailer
