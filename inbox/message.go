// The parsed message model: Message, its Addresses, Attachments and Flags, and
// the Sources a file can come from.

package inbox

import (
	"net/textproto"
	"time"
)

// Source says where in a message a file was found.
type Source string

// The places a file can come from.
const (
	// SourceAttachment is a part with Content-Disposition: attachment (or
	// application/octet-stream), enmime's Attachments.
	SourceAttachment Source = "attachment"
	// SourceInline is a part with Content-Disposition: inline that is not the
	// message body, enmime's Inlines (signature logos, embedded images).
	SourceInline Source = "inline"
	// SourceOther is any other non-body part: a file without
	// Content-Disposition, a delivery-status report, returned headers.
	SourceOther Source = "other"
	// SourceRFC822 is an embedded message/rfc822 part, kept whole as a .eml.
	SourceRFC822 Source = "rfc822"
	// SourceTNEF is a file decoded out of a TNEF winmail.dat part.
	SourceTNEF Source = "tnef"
	// SourceUUEncode is a file uuencoded inside the text of the body
	// (uuencode.go).
	SourceUUEncode Source = "uuencode"
	// SourceMSG is a file attached to an Outlook .msg attached to the
	// message (msg.go).
	SourceMSG Source = "msg"
)

// Address is a mailbox from an address header. Addr is as written in the
// message; compare it case-insensitively.
type Address struct {
	Name string
	Addr string
}

// Flag records a problem met while parsing. Flags never stop parsing: a message
// with flags still has everything that could be read.
type Flag struct {
	Code   string // stable name, e.g. "boundary-missing", "date-invalid"
	Detail string // human-readable detail, may quote the input
	Severe bool   // part of the message could not be read
}

// Message is one parsed email. Everything in it is derived from the raw bytes,
// which the caller keeps: parsing can always be done again.
type Message struct {
	MessageID  string   // without angle brackets; "" when absent
	InReplyTo  []string // message IDs without angle brackets, in header order
	References []string // message IDs without angle brackets, oldest first
	From       Address
	ReplyTo    []Address
	To         []Address
	Cc         []Address
	// DeliveredTo and OriginalTo are the Delivered-To and X-Original-To
	// addresses added by the receiving servers (all of them, in order).
	DeliveredTo []string
	OriginalTo  []string
	Subject     string    // RFC 2047 decoded, whitespace (folding) collapsed
	Date        time.Time // zero when the Date header is missing or unparsable
	DateRaw     string    // the Date header as written
	// Header is the top-level header as received: values unfolded but not
	// decoded. Classify reads Auto-Submitted, Precedence and the like from it.
	Header textproto.MIMEHeader

	Text         string // the body as plain text (LF line ends)
	TextFromHTML bool   // Text was converted from the HTML body: the mail had no text part
	HTML         string // the HTML body as received, unsanitised; never render it unsanitised

	// Attachments lists every file in the message, depth first. Files inside
	// an embedded message or a winmail.dat follow their container and name it
	// by Parent.
	Attachments []Attachment

	Flags      []Flag
	HeaderOnly bool // made by ParseHeader: there is no body and no attachment

	d derived // derived.go
}

// Attachment is one file carried by a message.
type Attachment struct {
	Index  int    // position in Message.Attachments
	Parent int    // index of the containing .eml or winmail.dat, or -1
	Source Source // where the file was found
	PartID string // MIME part position, "2.1"; nested parts are prefixed by their container's
	// Name is the decoded file name, made safe for display: no control or
	// bidirectional-override characters, no path separators. It is never a
	// path; a part without a name gets one made from its content type.
	Name        string
	ContentType string // lower case, without parameters
	Size        int
	SHA256      string // hex
	Data        []byte `json:"-"`
	// Message is the parsed embedded message of a SourceRFC822 file: its
	// header and text. Its own files are listed in the outer message's
	// Attachments (Parent points at this one), so its Attachments is empty.
	Message *Message `json:"-"`
}
