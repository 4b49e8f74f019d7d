%% receive: selective, after, order (tests/oracle/oracle_scenarios/receiving.py is the twin).
-module(sc_receive).
-export([scenarios/0]).
-export([selective_receive_leaves_the_rest_in_order/0, receive_after_zero_on_an_empty_mailbox/0,
         receive_after_zero_takes_a_waiting_message/0, order_from_one_sender_is_kept/0,
         receive_times_out_before_a_late_message/0, a_pattern_skips_what_does_not_match/0]).
-import(oracle, [emit/1, role/2, flush/0]).

scenarios() ->
    [selective_receive_leaves_the_rest_in_order, receive_after_zero_on_an_empty_mailbox,
     receive_after_zero_takes_a_waiting_message, order_from_one_sender_is_kept,
     receive_times_out_before_a_late_message, a_pattern_skips_what_does_not_match].

selective_receive_leaves_the_rest_in_order() ->
    self() ! a, self() ! b, self() ! c,
    receive b -> emit(b) end,
    emit(flush()).

receive_after_zero_on_an_empty_mailbox() ->
    emit(receive M -> M after 0 -> timeout end).

receive_after_zero_takes_a_waiting_message() ->
    self() ! x,
    emit(receive M -> M after 0 -> timeout end).

order_from_one_sender_is_kept() ->
    Parent = self(),
    P = spawn(fun() -> [Parent ! {n, I} || I <- lists:seq(1, 5)] end),
    role(P, sender),
    emit([receive {n, _} = M -> M end || _ <- lists:seq(1, 5)]).

receive_times_out_before_a_late_message() ->
    erlang:send_after(300, self(), late),
    emit(receive late -> got after 20 -> timeout end),
    emit(receive late -> got after 5000 -> timeout end).

a_pattern_skips_what_does_not_match() ->
    self() ! {a, 1}, self() ! {b, 2}, self() ! {a, 3},
    B = receive {b, X} -> X end,
    A = receive {a, Y} -> Y end,
    emit({B, A, flush()}).
