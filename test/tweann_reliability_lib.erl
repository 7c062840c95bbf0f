%% Helpers shared by the reliability suites (tweann_reliability_tests,
%% tweann_budget_tests, tweann_dirty_stop_tests, tweann_numbers_tests):
%% seeding and drawing, bit views of results, a layered network, a full
%% garbage collection, settled resource counts and the message of a badarg.
%% (tweann_nif_tests and tweann_cells_tests use the resource counts too.)
-module(tweann_reliability_lib).

-include_lib("eunit/include/eunit.hrl").

-export([seed/1, uniform/2, pick/1, to_bin/1, bits/1, say/2, layered/4, gc_all/0,
         settled/1, await_stats/1, badarg_message/1]).

%% How often and how long the resource counts are polled: a dead process's
%% resources are released by the VM after its 'DOWN' may have arrived, and
%% garbage of earlier tests is freed when its holder is collected.
-define(POLL_MS, 10).
-define(POLLS, 500).

seed(N) -> rand:seed(exsss, {N, N * 7 + 1, N * 13 + 5}).

uniform(Lo, Hi) -> Lo + rand:uniform() * (Hi - Lo).

pick(L) -> lists:nth(rand:uniform(length(L)), L).

to_bin(L) -> << <<(float(X)):64/float-native>> || X <- L >>.

bits(F) when is_float(F) -> <<F:64/float>>;
bits(L) when is_list(L) -> [bits(X) || X <- L];
bits(T) when is_tuple(T) -> list_to_tuple(bits(tuple_to_list(T)));
bits(X) -> X.

say(Fmt, Args) -> io:format(user, "~n[reliability] " ++ Fmt ++ "~n", Args).

%% A layered network: NIn inputs, then Layers x Width tanh nodes, each with
%% Fan connections from earlier nodes (small weights, so values stay finite).
layered(NIn, Layers, Width, Fan) ->
    Inputs = [{I, input, linear, 0.0, []} || I <- lists:seq(0, NIn - 1)],
    {Nodes, _} =
        lists:foldl(
          fun(L, {Acc, Next}) ->
                  Prev = Next,
                  Layer = [{Prev + K, hidden, tanh, uniform(-0.1, 0.1),
                            [{rand:uniform(Prev) - 1, uniform(-0.2, 0.2)} || _ <- lists:seq(1, Fan)]}
                           || K <- lists:seq(0, Width - 1)],
                  _ = L,
                  {Acc ++ Layer, Prev + Width}
          end, {Inputs, NIn}, lists:seq(1, Layers)),
    Last = NIn + Layers * Width - 1,
    {Nodes, NIn, [Last, Last - 1, Last - 2]}.

%% The counts Keys of memory_stats/0 once every process has been collected
%% and two reads ?POLL_MS apart agree (at most ?POLLS reads: a deadline, not
%% a timing assertion).
settled(Keys) ->
    settled(Keys, undefined, ?POLLS).

settled(_Keys, Prev, 0) ->
    Prev;
settled(Keys, Prev, N) ->
    [erlang:garbage_collect(P) || P <- processes()],
    case maps:with(Keys, tweann_nif:memory_stats()) of
        Prev -> Prev;
        Now -> timer:sleep(?POLL_MS), settled(Keys, Now, N - 1)
    end.

%% memory_stats/0 once Pred holds of it, collecting every process between
%% reads (at most ?POLLS reads; then the last, for the caller to assert on).
await_stats(Pred) ->
    await_stats(Pred, ?POLLS).

await_stats(Pred, N) ->
    Stats = tweann_nif:memory_stats(),
    case N =:= 0 orelse Pred(Stats) of
        true ->
            Stats;
        false ->
            timer:sleep(?POLL_MS),
            [erlang:garbage_collect(P) || P <- processes()],
            await_stats(Pred, N - 1)
    end.

%% Collect every process (so that released resources are freed).
gc_all() ->
    [erlang:garbage_collect(P) || P <- processes()],
    timer:sleep(50),
    [erlang:garbage_collect(P) || P <- processes()],
    ok.

%% The error_info message of a badarg raised by F.
badarg_message(F) ->
    try F() of
        R -> error({expected_badarg, R})
    catch error:badarg:St ->
            [{tweann_nif, _, _, Info} | _] = St,
            ?assertMatch(#{module := tweann_error}, proplists:get_value(error_info, Info)),
            Map = tweann_error:format_error(badarg, St),
            [Msg] = maps:values(Map),
            Msg
    end.
