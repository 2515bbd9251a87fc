"""The movement list (liste des mouvements, issue 15 item 3): who goes where and when on one day of one
establishment, escorted or not, and the partners expected; read from the schedule's tables."""
