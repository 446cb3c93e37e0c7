// Package inbox understands the mail that authorities send back: it parses a
// raw message, finds the request it belongs to, and suggests what kind of
// letter it is.
//
// The flow for one received message:
//
//  1. Parse reads the raw bytes with enmime: header fields, the body as text
//     (HTML-only mail converted), and every file the message carries —
//     attachments, inline parts, parts without a disposition, embedded
//     message/rfc822 (kept whole as a .eml and its own files listed after it),
//     and the files inside a TNEF winmail.dat. Damage is recorded as Flags, never
//     fatal. ParseHeader reads the header alone, for mail kept by headers only.
//  2. Match files the message under a request reference (SLUG-NNN), strongest
//     evidence first: threading headers naming our Message-IDs, a plus-address
//     tag, our reference in the subject, then in the body, the authority's own
//     reference learned earlier, and last the sender (low confidence). It asks
//     the store through the small Index interface declared here. TakeUnmatched
//     says whether an unmatched message is worth keeping for the user.
//  3. Classify suggests a Kind — bounce, auto-reply, acknowledgement,
//     clarification, extension, fee notice, substantive response — with the
//     evidence seen, and hints such as the exemption sections cited. It is a
//     suggestion: the user confirms the final classification.
//
// The package owns the reading of mail only. It does not fetch mail (the IMAP
// watcher does), store anything, change a request's state, or learn
// references: it returns what it found (MatchResult.AuthorityRef, for
// instance) for the caller to record. File names it returns are for display
// and are never used as paths.
//
// Everything here is a pure function of its inputs; there is no package-level
// mutable state. Parse, Match and Classify may be called from any number of
// goroutines at once, provided the Index passed to Match is itself safe for
// concurrent use. A Message is not synchronised: do not change one while
// another goroutine reads it.
package inbox
