// Package mailer composes letters into exact bytes and sends them.
//
// Compose and Render turn a Letter (every field fixed, Message-ID and Date
// included) into a go-mail message and its bytes, the same every time. SMTP
// is one reusable go-mail connection with the TLS and authentication policy
// of the configuration, and classify is the one place where a sending error
// is judged temporary (SMTP 4xx, network) or permanent (5xx). Outbox drains
// the store's outbox: claim, send, record, copy to the Sent folder, retry
// with backoff, and settle letters left in doubt by a crash through the Sent
// folder, so that a letter is sent at most once (README: "Never twice").
//
// It does not decide what to send or when (packages campaign and the
// scheduler do) and it does not read replies (package inbox does). Its types
// are not safe for concurrent use; one goroutine drains the outbox.
package mailer
