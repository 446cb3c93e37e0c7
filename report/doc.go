// Package report turns what is known about requests into what people read:
// a campaign's board (Board, RowOf), a request's history in plain English
// (Timeline), and the complaint pack for the Information Commissioner or,
// in Scotland, the appeal to the Scottish Information Commissioner
// (BuildPack, Pack.WriteZip).
//
// Everything is built from schedule.Facts — a request, its campaign, its
// thread, its outbox and its events — with the dates package deadline
// computes from them. The board and the timeline are pure functions of the
// facts. BuildPack also reads the stored mail and attachments from the
// store, and writes the complaint with the scheduler's letters.
//
// The pack is built in four steps:
//
//  1. ComplaintDue decides whether a complaint is due: one has been
//     drafted, or the review has been answered, or it is late enough, or
//     the silence has lasted long enough (see ComplaintDue for the rules
//     and their sources). If not, BuildPack refuses with a *NotDueError
//     saying when it will be, unless forced, and then it says so in the
//     letter and the index.
//  2. The complaint letter is written afresh, dated the day the pack is
//     built, with the grounds: the refusal (its date, outcome and the
//     sections cited) and what the review said.
//  3. Every message actually exchanged goes in as .eml, every attachment
//     under a name of its own, with the timeline, how to file the
//     complaint, and an index that lists exactly what is in the zip.
//  4. WriteZip writes the files with their dates: a message's own date,
//     or the moment the pack was built for what the pack wrote itself.
//
// It does not send anything, change the store or decide what the schedule
// does next. It holds no state; its functions are safe for concurrent use
// as far as the store and scheduler they are given are.
package report
