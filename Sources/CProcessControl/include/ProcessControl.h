#ifndef D2L_PROCESS_CONTROL_H
#define D2L_PROCESS_CONTROL_H

/// Makes this process the reaper of its orphaned descendants (Linux `PR_SET_CHILD_SUBREAPER`),
/// so that whatever a chapter program leaves behind, even in a new session, stays findable as
/// a child of the runner. Returns 0 on success. (prctl is variadic: Swift cannot call it.)
int d2l_become_child_subreaper(void);

#endif
