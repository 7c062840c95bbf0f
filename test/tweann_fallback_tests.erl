%% The pure Erlang backend is a fallback only when configured: on a node
%% where the native library is missing, every tweann_nif call raises
%% {tweann_nif_not_loaded, Why} -- unless {tweann_nif, [{backend, erlang}]}
%% is set, and then the calls give the pure Erlang reference's results. A
%% backend setting that is not native, nif or erlang is an error. Runs a separate
%% `erl' whose code path holds a copy of the application without priv/.
-module(tweann_fallback_tests).

-include_lib("eunit/include/eunit.hrl").

fallback_test_() ->
    {timeout, 120, fun() ->
        Ebin = filename:dirname(code:which(tweann_nif)),
        Tmp = filename:join(["/tmp", "tweann_fallback_" ++ os:getpid()]),
        Copy = filename:join([Tmp, "tweann_nif", "ebin"]),
        ok = filelib:ensure_dir(filename:join(Copy, "x")),
        [{ok, _} = file:copy(F, filename:join(Copy, filename:basename(F)))
         || F <- filelib:wildcard(filename:join(Ebin, "*"))],
        try
            %% The node prints its result between "@@" and "$$" (log reports
            %% may come before or after it).
            Run = fun(Extra, Expr) ->
                          Cmd = "erl -noshell -pa " ++ Copy ++ " " ++ Extra ++
                                " -eval '" ++ Expr ++ "' 2>&1",
                          [_, Rest] = string:split(os:cmd(Cmd), "@@"),
                          [Out, _] = string:split(Rest, "$$"),
                          {ok, Toks, _} = erl_scan:string(Out ++ "."),
                          {ok, Term} = erl_parse:parse_term(Toks),
                          Term
                  end,
            Eval = fun(Extra) ->
                           Run(Extra, "R = try tweann_nif:evaluate(tweann_nif:compile_network("
                                      "[{0,input,linear,0,[]},{1,output,tanh,0.5,[{0,2}]}], 1, [1]), [0.25]) "
                                      "of V -> {ok, V, tweann_nif:is_loaded(), maps:get(backend, tweann_nif:build_info())} "
                                      "catch error:E -> {error, element(1, E)} end, "
                                      "io:format(\"@@~w$$\", [R]), halt().")
                   end,
            %% Not configured: a clear error, never a silent fallback.
            ?assertEqual({error, tweann_nif_not_loaded}, Eval("")),
            %% Configured: the reference answers.
            Want = tweann_ref_math:tanh(0.25 * 2 + 0.5),
            ?assertEqual({ok, [Want], false, erlang}, Eval("-tweann_nif backend erlang")),
            %% Any other setting is an error naming it, at the first call
            %% and at application start.
            ?assertEqual({error, tweann_nif_bad_backend}, Eval("-tweann_nif backend nfi")),
            Start = "R = case application:ensure_all_started(tweann_nif) of "
                    "{error, Why} -> {start_failed, lists:flatten(io_lib:format(\"~p\", [Why]))}; "
                    "Other -> Other end, io:format(\"@@~w$$\", [R]), halt().",
            {start_failed, Why} = Run("-tweann_nif backend nfi", Start),
            ?assertNotEqual(nomatch, string:find(Why, "backend")),
            ?assertNotEqual(nomatch, string:find(Why, "nfi")),
            %% impl/0 names the serving implementation; the seeded kernels of
            %% the reference give the native library's numbers.
            Impl = fun(Extra, Expr) ->
                           Run(Extra, "R = try " ++ Expr ++ " catch error:E -> {error, element(1, E)} end, "
                                      "io:format(\"@@~w$$\", [R]), halt().")
                   end,
            ?assertEqual({error, tweann_nif_not_loaded}, Impl("", "tweann_nif:impl()")),
            ?assertEqual({erlang, tweann_nif:random_weights_seeded(3, 7)},
                         Impl("-tweann_nif backend erlang",
                              "{tweann_nif:impl(), tweann_nif:random_weights_seeded(3, 7)}")),
            ?assertEqual(native, tweann_nif:impl())
        after
            os:cmd("rm -rf " ++ Tmp)
        end
    end}.
