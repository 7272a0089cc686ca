"""The course recorder: graded work kept where the student cannot rewrite it.

On a class hub every graded save and every graded scenario move is also sent, with the user's own
hub token, to a JupyterHub service of the course that runs as its own user and appends it, with
the server's time and the user the hub vouches for, to a store nobody can rewrite. The grader
then scores graded items from that record, not from the answers file the student owns.

- `store.py`   the append-only store (SQLite by default, PostgreSQL through the same code);
- `service.py` the JupyterHub service (an HTTP API on loopback; who is asking comes from the hub);
- `client.py`  the kernel's side: send a graded save, read one's own records;
- `replay.py`  the grader's side: a student's graded answers as the record has them.

Without a recorder (students on laptops) nothing changes: the answers file is graded, and graded
attempts are then as trustworthy as homework.
"""
