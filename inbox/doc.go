// Package inbox reads the mail that authorities send back: it fetches it from
// the campaign mailbox, works out which request each message belongs to and
// what kind of letter it is, and files it.
//
// The reading of one message is three pure functions:
//
//  1. Parse reads the raw bytes with enmime: header fields, the body as text
//     (HTML-only mail converted), and every file the message carries —
//     attachments, inline parts, parts without a disposition, embedded
//     message/rfc822 (kept whole as a .eml, its own files listed after it),
//     the files inside a TNEF winmail.dat and an Outlook .msg, and files
//     uuencoded inside the body text. Damage is recorded as Flags and never
//     stops parsing. ParseHeader reads the header alone, for mail kept by its
//     headers only. AuthorityRefs extracts an authority's own reference.
//  2. Match finds the request (SLUG-NNN), strongest evidence first: threading
//     headers naming our Message-IDs, a plus-address tag, our reference in the
//     subject, then in the body, the authority's own reference learned earlier,
//     and last the sender (low confidence), never for a message that names a
//     reference not ours (another campaign's). It asks the store through the small
//     Index interface declared here. TakeUnmatched says whether an unmatched
//     message is worth keeping for the user to file by hand.
//  3. Classify suggests a Kind — bounce, auto-reply, redirect, identity
//     challenge, acknowledgement, clarification, extension, fee notice,
//     substantive response — with the evidence seen and hints such as the
//     exemption sections cited and the review deadline the letter states;
//     ClassifyWith also reads the attached letters' text where the body says
//     little. It is a suggestion: the user confirms the final classification.
//     A bounce is matched only by the letter it returns or its recipient.
//
// These read and return values only: they fetch nothing, store nothing,
// change no request and learn no reference (MatchResult.AuthorityRef is
// returned for the caller to record). File names they return are for display
// and are never used as paths. The Processor turns their results into stored
// rows and suggested state changes, and the Watcher fetches mail over IMAP and
// hands each message to the Processor; the store, the clock and the schedule
// belong to other packages.
//
// There is no package-level mutable state. Parse, ParseHeader, Match, Classify
// and TakeUnmatched may be called from any number of goroutines at once,
// provided the Index given to Match is itself safe for concurrent use; a
// Message is not synchronised, so do not change one while another goroutine
// reads it. A Watcher is used by one goroutine; a Processor is safe for
// concurrent use when its Store is.
package inbox
